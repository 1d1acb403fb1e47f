//! `loket sbom`: the software bill of materials (SEC-12) as CycloneDX 1.5 JSON, from the
//! `Cargo.lock` this binary was built with (compiled in, so it describes this very build).
//!
//! Every registry crate of the lock file is a component with its package URL and the SHA-256
//! checksum crates.io publishes. The lock file is a superset of what is linked into the binary:
//! it also names the crates of tests and benchmarks. The widget and console need no third-party
//! code at run time (the browser tests' npm packages are not part of Loket).

use serde::Deserialize;
use serde_json::{Value, json};

/// The lock file of this build.
const CARGO_LOCK: &str = include_str!("../../../Cargo.lock");

#[derive(Deserialize)]
struct LockFile {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    /// `registry+https://...` for crates.io; absent for the workspace's own crates.
    source: Option<String>,
    checksum: Option<String>,
}

/// The bill of materials of this build.
pub fn cyclonedx() -> anyhow::Result<Value> {
    cyclonedx_of(CARGO_LOCK)
}

fn cyclonedx_of(lock: &str) -> anyhow::Result<Value> {
    let lock: LockFile = toml::from_str(lock)?;
    let components: Vec<Value> = lock
        .package
        .iter()
        .filter(|package| package.source.is_some())
        .map(|package| {
            let mut component = json!({
                "type": "library",
                "name": package.name,
                "version": package.version,
                "purl": format!("pkg:cargo/{}@{}", package.name, package.version),
            });
            if let Some(checksum) = &package.checksum {
                component["hashes"] = json!([{ "alg": "SHA-256", "content": checksum }]);
            }
            component
        })
        .collect();
    Ok(json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "component": {
                "type": "application",
                "name": "loket",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
        "components": components,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_crates_are_components_with_purl_and_checksum_and_workspace_crates_are_not() {
        let lock = r#"
version = 4

[[package]]
name = "loket-core"
version = "0.0.0"

[[package]]
name = "serde"
version = "1.0.228"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "9a8e94ea7f378bd32cbbd37198a4a91436180c5bb472411e48b5ec2e2124ae9e"
"#;
        let bom = cyclonedx_of(lock).expect("parses");
        let components = bom["components"].as_array().expect("components");
        assert_eq!(components.len(), 1);
        assert_eq!(components[0]["purl"], "pkg:cargo/serde@1.0.228");
        assert_eq!(components[0]["hashes"][0]["alg"], "SHA-256");
        assert_eq!(bom["bomFormat"], "CycloneDX");
    }

    #[test]
    fn this_build_lists_its_database_and_http_crates() {
        let bom = cyclonedx().expect("the compiled-in lock file parses");
        let names: Vec<&str> = bom["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|component| component["name"].as_str())
            .collect();
        for expected in ["axum", "sqlx", "tantivy", "chacha20poly1305"] {
            assert!(names.contains(&expected), "{expected}");
        }
        assert!(
            !names.contains(&"loket-core"),
            "the workspace's own crates are the application"
        );
    }
}
