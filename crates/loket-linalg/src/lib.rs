//! Matrix products of the neural networks Loket runs on the CPU (the sentence encoder's dense
//! layers, the embedded language model's projections): `output += input · weight`, with the
//! weight packed once at load time into panels of [`PANEL`] columns, each stored row after row,
//! so that a product reads it as one contiguous stream.
//!
//! The kernel keeps a tile of up to 8 output rows × [`PANEL`] columns in vector registers and adds
//! one broadcast input value times one panel row per step, the shape of a BLIS micro-kernel. It is
//! written once over `pulp`'s safe SIMD types and dispatched at run time. On a processor with
//! AVX-512 it runs every product, about twice as fast as `matrixmultiply` (which `ndarray` uses
//! and which stops at AVX2; BENCHMARKS.md). With narrower vectors (AVX2, NEON) a tile holds too
//! few rows to beat `matrixmultiply`'s own kernels (48-60 against 76-110 GFLOP/s for AVX2 on
//! this project's machine), so there the weight stays a plain matrix and `matrixmultiply` runs
//! products of several rows, while a single row (a language model decoding a token) is one pass
//! over the weight's rows compiled for the widest vectors, as the kernel's is.
//!
//! The depth is taken [`DEPTH_BLOCK`] rows at a time, so that the part of a panel being used
//! (32 KiB) stays in the first-level cache while every row tile passes over it. With a single
//! row tile (a language model decoding one token) the weight is read as one sequential stream.
//!
//! The kernel forms every row's sums in the same order, whatever the batch: a sentence's vector does
//! not depend on the sentences encoded with it.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2};
use pulp::{Arch, Simd, WithSimd};

/// Columns per panel: a multiple of every vector width the kernel uses (16, 8 and 4 lanes).
const PANEL: usize = 32;

/// Rows of the weight (the product's depth) per pass over the panels.
const DEPTH_BLOCK: usize = 256;

/// Vectors per panel row at the narrowest width the vector kernel accepts (4 lanes).
const MAX_VECTORS: usize = PANEL / 4;

/// A weight matrix of `inputs` rows and `outputs` columns, in the layout the processor's
/// product needs: in panel layout on a processor with AVX-512 (panel `p` holds columns
/// `p * PANEL ..` of every row, row after row; columns past `outputs` are zero), otherwise as a
/// standard-layout matrix for `matrixmultiply`.
#[derive(Debug)]
pub struct PackedWeight {
    inputs: usize,
    outputs: usize,
    layout: Layout,
}

#[derive(Debug)]
enum Layout {
    /// Panels of [`PANEL`] columns, for the kernel.
    Panels(Vec<f32>),
    /// The weight itself, where the kernel is not the faster one.
    Matrix(Array2<f32>),
}

/// True when the processor has the vectors the kernel is built for (16 lanes: AVX-512).
fn kernel_is_faster() -> bool {
    struct Lanes;
    impl WithSimd for Lanes {
        type Output = usize;

        #[inline(always)]
        fn with_simd<S: Simd>(self, _simd: S) -> usize {
            S::F32_LANES
        }
    }
    Arch::new().dispatch(Lanes) >= 16
}

impl PackedWeight {
    /// Packs `weight`, (inputs, outputs), in any layout.
    pub fn pack(weight: ArrayView2<'_, f32>) -> PackedWeight {
        PackedWeight::pack_as(weight, kernel_is_faster())
    }

    /// Packs `weight` in panels (`panels`) or as a standard-layout matrix.
    fn pack_as(weight: ArrayView2<'_, f32>, panels: bool) -> PackedWeight {
        let (inputs, outputs) = weight.dim();
        if !panels {
            return PackedWeight {
                inputs,
                outputs,
                layout: Layout::Matrix(weight.as_standard_layout().into_owned()),
            };
        }
        let panel_count = if inputs == 0 { 0 } else { outputs.div_ceil(PANEL) };
        let mut panels = vec![0.0; panel_count * inputs * PANEL];
        // Column by column: a weight stored (outputs, inputs), as PyTorch and GGUF store it and
        // as `weight` is when it is such a matrix transposed, is then read in memory order.
        for (panel, chunk) in panels.chunks_exact_mut((inputs * PANEL).max(1)).enumerate() {
            for offset in 0..PANEL.min(outputs - panel * PANEL) {
                let column = weight.column(panel * PANEL + offset);
                for (target, value) in chunk[offset..].iter_mut().step_by(PANEL).zip(column) {
                    *target = *value;
                }
            }
        }
        PackedWeight {
            inputs,
            outputs,
            layout: Layout::Panels(panels),
        }
    }

    /// Rows of the weight: the width of an input row.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Columns of the weight: the width of an output row.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// `output += input · weight`. `input` has `inputs` columns and `output` is (input rows,
    /// `outputs`); a mismatch is a programming error and panics, as `ndarray`'s products do.
    pub fn multiply_add(&self, input: ArrayView2<'_, f32>, output: &mut Array2<f32>) {
        self.multiply_add_with(Arch::new(), input, output);
    }

    fn multiply_add_with(&self, arch: impl Dispatch, input: ArrayView2<'_, f32>, output: &mut Array2<f32>) {
        assert_eq!(input.ncols(), self.inputs, "input width");
        assert_eq!(output.dim(), (input.nrows(), self.outputs), "output shape");
        if input.nrows() == 0 || self.inputs == 0 || self.outputs == 0 {
            return;
        }
        let panels = match &self.layout {
            Layout::Panels(panels) => panels,
            Layout::Matrix(weight) => return multiply_add_rows(weight, input, output),
        };
        let input = input.as_standard_layout();
        let Some(input) = input.as_slice() else {
            unreachable!("a standard-layout array is contiguous")
        };
        match output.as_slice_mut() {
            Some(output) => arch.run(self.product(panels, input, output)),
            None => {
                let mut contiguous = output.as_standard_layout().into_owned();
                let Some(slice) = contiguous.as_slice_mut() else {
                    unreachable!("a standard-layout array is contiguous")
                };
                arch.run(self.product(panels, input, slice));
                output.assign(&contiguous);
            }
        }
    }

    fn product<'a>(&self, panels: &'a [f32], input: &'a [f32], output: &'a mut [f32]) -> Product<'a> {
        Product {
            inputs: self.inputs,
            outputs: self.outputs,
            panels,
            input,
            output,
        }
    }
}

/// `output += input · weight` for a weight kept as a matrix: `matrixmultiply` for several rows;
/// for one row, a pass over the weight's rows adding each times its input value, compiled for
/// the processor's widest vectors (`matrixmultiply` does a single row 7 times slower).
fn multiply_add_rows(weight: &Array2<f32>, input: ArrayView2<'_, f32>, output: &mut Array2<f32>) {
    if input.nrows() == 1
        && let (Some(weights), Some(sums)) = (weight.as_slice(), output.as_slice_mut())
    {
        let outputs = sums.len();
        Arch::new().dispatch(|| {
            for (value, weight_row) in input.iter().zip(weights.chunks_exact(outputs)) {
                for (sum, weight) in sums.iter_mut().zip(weight_row) {
                    *sum += value * weight;
                }
            }
        });
        return;
    }
    general_mat_mul(1.0, &input, weight, 1.0, output);
}

/// What runs a [`Product`]: `pulp`'s run-time dispatch, or (in tests) one instruction set.
trait Dispatch {
    fn run(self, product: Product<'_>);
}

impl Dispatch for Arch {
    fn run(self, product: Product<'_>) {
        self.dispatch(product);
    }
}

/// One call's operands: the weight's panels, and `input` (rows × inputs) and `output` (rows ×
/// outputs), both row-major.
struct Product<'a> {
    inputs: usize,
    outputs: usize,
    panels: &'a [f32],
    input: &'a [f32],
    output: &'a mut [f32],
}

impl WithSimd for Product<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        match PANEL / S::F32_LANES {
            // AVX-512: tiles of 8 rows × PANEL columns in 16 of its 32 registers.
            2 => product::<S, 8>(simd, self),
            // Panels are only made for AVX-512 (`PackedWeight::pack`), but they multiply right
            // on any instruction set (the tests force each): 12 of AVX2's 16 registers, 24 of
            // NEON's 32, and a plain loop without vectors.
            4 | 8 => product::<S, 3>(simd, self),
            _ => product_scalar(self),
        }
    }
}

#[inline(always)]
fn product<S: Simd, const R: usize>(simd: S, product: Product<'_>) {
    let Product {
        inputs,
        outputs,
        panels,
        input,
        output,
    } = product;
    let rows = input.len() / inputs;
    // Blocking the depth keeps a panel's part in the first-level cache for the next row tile;
    // with a single tile there is none, and the whole depth of each panel in turn reads the
    // weight as one sequential stream. The sums are the same either way: a block only stores
    // them and loads them back.
    let depth_block = if rows <= R { inputs } else { DEPTH_BLOCK };
    let mut depth = 0;
    while depth < inputs {
        let block = depth_block.min(inputs - depth);
        for (panel_index, panel) in panels.chunks_exact(inputs * PANEL).enumerate() {
            let panel = &panel[depth * PANEL..(depth + block) * PANEL];
            let first_column = panel_index * PANEL;
            let width = PANEL.min(outputs - first_column);
            let mut row = 0;
            while row < rows {
                let tile_rows = R.min(rows - row);
                let tile = Tile {
                    input: &input[row * inputs + depth..],
                    input_stride: inputs,
                    panel,
                    depth: block,
                };
                let output = &mut output[row * outputs + first_column..];
                if width == PANEL {
                    tile.run(simd, tile_rows, output, outputs);
                } else {
                    // The last panel of a width that is not a multiple of PANEL: through a
                    // full-width buffer, whose extra columns (zero weights) are discarded.
                    let mut buffer = [0.0; PANEL * 8];
                    for tile_row in 0..tile_rows {
                        buffer[tile_row * PANEL..tile_row * PANEL + width]
                            .copy_from_slice(&output[tile_row * outputs..tile_row * outputs + width]);
                    }
                    tile.run(simd, tile_rows, &mut buffer, PANEL);
                    for tile_row in 0..tile_rows {
                        output[tile_row * outputs..tile_row * outputs + width]
                            .copy_from_slice(&buffer[tile_row * PANEL..tile_row * PANEL + width]);
                    }
                }
                row += tile_rows;
            }
        }
        depth += block;
    }
}

/// Up to `R` rows of input against a block of one panel.
struct Tile<'a> {
    input: &'a [f32],
    input_stride: usize,
    panel: &'a [f32],
    depth: usize,
}

impl Tile<'_> {
    /// Adds this tile's product to the first `rows` rows (1 to 8) and PANEL columns of `output`,
    /// whose rows are `output_stride` apart. Each row count is its own instance, so that the
    /// compiler unrolls the rows and keeps every sum in a register, also in a short last tile.
    #[inline(always)]
    fn run<S: Simd>(&self, simd: S, rows: usize, output: &mut [f32], output_stride: usize) {
        match rows {
            1 => self.run_rows::<S, 1>(simd, output, output_stride),
            2 => self.run_rows::<S, 2>(simd, output, output_stride),
            3 => self.run_rows::<S, 3>(simd, output, output_stride),
            4 => self.run_rows::<S, 4>(simd, output, output_stride),
            5 => self.run_rows::<S, 5>(simd, output, output_stride),
            6 => self.run_rows::<S, 6>(simd, output, output_stride),
            7 => self.run_rows::<S, 7>(simd, output, output_stride),
            _ => self.run_rows::<S, 8>(simd, output, output_stride),
        }
    }

    #[inline(always)]
    fn run_rows<S: Simd, const ROWS: usize>(&self, simd: S, output: &mut [f32], output_stride: usize) {
        let vectors = PANEL / S::F32_LANES;
        let zero = simd.splat_f32s(0.0);
        let mut sums = [[zero; MAX_VECTORS]; ROWS];
        for (row, sums) in sums.iter_mut().enumerate() {
            let (loaded, _) = S::as_simd_f32s(&output[row * output_stride..row * output_stride + PANEL]);
            sums[..vectors].copy_from_slice(loaded);
        }
        for step in 0..self.depth {
            let (weights, _) = S::as_simd_f32s(&self.panel[step * PANEL..(step + 1) * PANEL]);
            for (row, sums) in sums.iter_mut().enumerate() {
                let value = simd.splat_f32s(self.input[row * self.input_stride + step]);
                for (sum, weight) in sums[..vectors].iter_mut().zip(weights) {
                    *sum = simd.mul_add_e_f32s(value, *weight, *sum);
                }
            }
        }
        for (row, sums) in sums.iter().enumerate() {
            let (stored, _) = S::as_mut_simd_f32s(&mut output[row * output_stride..row * output_stride + PANEL]);
            stored.copy_from_slice(&sums[..vectors]);
        }
    }
}

/// The same product without vector types (a plain multiply and add: a fused one would be a
/// library call there); the compiler still vectorises the inner loop with the baseline's SSE2.
fn product_scalar(product: Product<'_>) {
    let Product {
        inputs,
        outputs,
        panels,
        input,
        output,
    } = product;
    for (input_row, output_row) in input.chunks_exact(inputs).zip(output.chunks_exact_mut(outputs)) {
        for (panel_index, panel) in panels.chunks_exact(inputs * PANEL).enumerate() {
            let first_column = panel_index * PANEL;
            let width = PANEL.min(outputs - first_column);
            let mut sums = [0.0f32; PANEL];
            sums[..width].copy_from_slice(&output_row[first_column..first_column + width]);
            for (value, weights) in input_row.iter().zip(panel.chunks_exact(PANEL)) {
                for (sum, weight) in sums.iter_mut().zip(weights) {
                    *sum += value * weight;
                }
            }
            output_row[first_column..first_column + width].copy_from_slice(&sums[..width]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ShapeBuilder;

    /// One instruction set, chosen by the test rather than by the processor.
    struct Only<S: Simd>(S);

    impl<S: Simd> Dispatch for Only<S> {
        fn run(self, product: Product<'_>) {
            self.0.vectorize(product);
        }
    }

    /// A deterministic pseudo-random matrix with entries in [-1, 1).
    fn matrix(rows: usize, columns: usize, seed: u64) -> Array2<f32> {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        Array2::from_shape_fn((rows, columns), |_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 23) as f32) - 1.0
        })
    }

    /// The product in double precision, the reference every path is held to.
    fn reference(input: &Array2<f32>, weight: &Array2<f32>, start: &Array2<f32>) -> Array2<f64> {
        let input = input.mapv(f64::from);
        let weight = weight.mapv(f64::from);
        start.mapv(f64::from) + input.dot(&weight)
    }

    /// Shapes that cover a full tile and every kind of remainder: rows not a multiple of any
    /// tile height, depth over one block and not a multiple of it, and a last panel that is
    /// partly padding.
    const SHAPES: &[(usize, usize, usize)] = &[
        (0, 4, 4),
        (2, 0, 5),
        (2, 4, 0),
        (1, 1, 1),
        (1, 384, 384),
        (3, 7, 33),
        (8, 300, 64),
        (17, 384, 1152),
        (19, 1536, 384),
        (24, 513, 100),
        (2, 256, 31),
    ];

    fn check(
        panels: bool,
        dispatch: impl Fn() -> Box<dyn FnOnce(&PackedWeight, ArrayView2<'_, f32>, &mut Array2<f32>)>,
    ) {
        for (index, &(rows, inputs, outputs)) in SHAPES.iter().enumerate() {
            let seed = index as u64 * 3;
            let input = matrix(rows, inputs, seed);
            let weight = matrix(inputs, outputs, seed + 1);
            let start = matrix(rows, outputs, seed + 2);
            let expected = reference(&input, &weight, &start);
            let packed = PackedWeight::pack_as(weight.view(), panels);
            let mut output = start.clone();
            dispatch()(&packed, input.view(), &mut output);
            for ((row, column), value) in output.indexed_iter() {
                let error = (f64::from(*value) - expected[[row, column]]).abs();
                assert!(
                    error <= 1e-5 * inputs as f64,
                    "shape {rows}x{inputs}x{outputs} at ({row}, {column}): {value} vs {}",
                    expected[[row, column]]
                );
            }
        }
    }

    #[test]
    fn the_dispatched_product_equals_the_reference_for_every_shape() {
        check(true, || {
            Box::new(|packed, input, output| packed.multiply_add(input, output))
        });
    }

    #[test]
    fn the_plain_matrix_kept_without_avx_512_gives_the_reference_for_every_shape() {
        check(false, || {
            Box::new(|packed, input, output| packed.multiply_add(input, output))
        });
    }

    #[test]
    fn the_portable_product_equals_the_reference_for_every_shape() {
        check(true, || {
            Box::new(|packed, input, output| {
                packed.multiply_add_with(Only(pulp::Scalar::new()), input, output);
            })
        });
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_x86_instruction_set_the_processor_has_gives_the_reference() {
        if let Some(simd) = pulp::x86::V3::try_new() {
            check(true, move || {
                Box::new(move |packed, input, output| packed.multiply_add_with(Only(simd), input, output))
            });
        }
        if let Some(simd) = pulp::x86::V4::try_new() {
            check(true, move || {
                Box::new(move |packed, input, output| packed.multiply_add_with(Only(simd), input, output))
            });
        }
    }

    #[test]
    fn an_output_in_column_major_layout_gets_the_same_product() {
        let input = matrix(5, 40, 7);
        let weight = matrix(40, 70, 8);
        let packed = PackedWeight::pack(weight.view());
        let mut standard = Array2::zeros((5, 70));
        packed.multiply_add(input.view(), &mut standard);
        let mut column_major = Array2::zeros((5, 70).f());
        packed.multiply_add(input.view(), &mut column_major);
        assert_eq!(standard, column_major);
        // A transposed input view, which is not contiguous row after row, too.
        let transposed = input.t().as_standard_layout().into_owned();
        let mut from_view = Array2::zeros((5, 70));
        packed.multiply_add(transposed.t(), &mut from_view);
        assert_eq!(standard, from_view);
    }

    #[test]
    fn a_sentence_gets_the_same_product_alone_and_in_a_batch() {
        let weight = matrix(384, 96, 11);
        let packed = PackedWeight::pack_as(weight.view(), true);
        let batch = matrix(13, 384, 12);
        let mut together = Array2::zeros((13, 96));
        packed.multiply_add(batch.view(), &mut together);
        for row in 0..13 {
            let alone_input = batch.row(row).insert_axis(ndarray::Axis(0)).to_owned();
            let mut alone = Array2::zeros((1, 96));
            packed.multiply_add(alone_input.view(), &mut alone);
            assert_eq!(alone.row(0), together.row(row), "row {row}");
        }
    }

    #[test]
    fn packing_keeps_the_shape_and_pads_the_last_panel_with_zeros() {
        let weight = matrix(3, 33, 1);
        let packed = PackedWeight::pack_as(weight.view(), true);
        assert_eq!((packed.inputs(), packed.outputs()), (3, 33));
        let Layout::Panels(panels) = &packed.layout else {
            panic!("packed as panels")
        };
        assert_eq!(panels.len(), 2 * 3 * PANEL);
        assert_eq!(panels[3 * PANEL], weight[[0, 32]]);
        assert!(panels[3 * PANEL + 1..].iter().step_by(PANEL).all(|value| *value == 0.0));
    }
}
