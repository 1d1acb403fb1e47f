//! Turning generated token bytes into the text handed to the caller, piece by piece.
//!
//! Two things are held back until they are settled: the bytes of a UTF-8 character split over
//! tokens (so every piece is whole UTF-8; bytes that can never become valid UTF-8 turn into
//! U+FFFD), and a tail of the text that could be the start of a stop string (so a stop string is
//! never shown, not even in part). The text handed out is always a prefix of the final text.

/// What the caller should do after [`TextStream::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Keep generating.
    Continue,
    /// A stop string appeared; the text ends just before it.
    Stopped,
    /// The callback returned `false`.
    Cancelled,
}

/// The text of one generation, and how much of it the callback has seen.
#[derive(Debug)]
pub(crate) struct TextStream<'stop> {
    stop: Vec<&'stop str>,
    /// Bytes of an incomplete UTF-8 character.
    pending: Vec<u8>,
    text: String,
    /// Bytes of `text` handed to the callback.
    emitted: usize,
}

impl<'stop> TextStream<'stop> {
    /// A stream that stops at any of `stop` (empty strings are ignored).
    pub(crate) fn new(stop: &'stop [String]) -> TextStream<'stop> {
        TextStream {
            stop: stop
                .iter()
                .map(String::as_str)
                .filter(|stop| !stop.is_empty())
                .collect(),
            pending: Vec::new(),
            text: String::new(),
            emitted: 0,
        }
    }

    /// Adds a token's bytes and hands whatever text is settled to `on_text`.
    pub(crate) fn push(&mut self, bytes: &[u8], on_text: &mut dyn FnMut(&str) -> bool) -> Step {
        self.pending.extend_from_slice(bytes);
        self.decode_pending();
        if let Some(start) = self.stop.iter().filter_map(|stop| self.text.find(stop)).min() {
            self.text.truncate(start.max(self.emitted));
            return match self.emit(self.text.len(), on_text) {
                Step::Cancelled => Step::Cancelled,
                _ => Step::Stopped,
            };
        }
        let held = self
            .stop
            .iter()
            .map(|stop| partial_suffix(&self.text, stop))
            .max()
            .unwrap_or(0);
        self.emit(self.text.len() - held, on_text)
    }

    /// Hands out everything still held (an unfinished character as U+FFFD) and returns the
    /// whole text. Whether the callback accepts this last piece no longer matters.
    pub(crate) fn finish(mut self, on_text: &mut dyn FnMut(&str) -> bool) -> String {
        if !self.pending.is_empty() {
            self.text.push_str(&String::from_utf8_lossy(&self.pending));
            self.pending.clear();
        }
        self.emit(self.text.len(), on_text);
        self.text
    }

    /// The text handed out so far (all of it after a stop string or cancellation).
    pub(crate) fn into_emitted(mut self) -> String {
        self.text.truncate(self.emitted);
        self.text
    }

    /// Moves the complete characters of `pending` into `text`.
    fn decode_pending(&mut self) {
        loop {
            match std::str::from_utf8(&self.pending) {
                Ok(valid) => {
                    self.text.push_str(valid);
                    self.pending.clear();
                    return;
                }
                Err(error) => {
                    let valid = error.valid_up_to();
                    self.text
                        .push_str(std::str::from_utf8(&self.pending[..valid]).unwrap_or_default());
                    match error.error_len() {
                        // The rest may still become a character.
                        None => {
                            self.pending.drain(..valid);
                            return;
                        }
                        Some(invalid) => {
                            self.text.push(char::REPLACEMENT_CHARACTER);
                            self.pending.drain(..valid + invalid);
                        }
                    }
                }
            }
        }
    }

    /// Hands `text[emitted..end]` to the callback when it is not empty.
    fn emit(&mut self, end: usize, on_text: &mut dyn FnMut(&str) -> bool) -> Step {
        let Some(piece) = self.text.get(self.emitted..end).filter(|piece| !piece.is_empty()) else {
            return Step::Continue;
        };
        self.emitted = end;
        if on_text(piece) {
            Step::Continue
        } else {
            Step::Cancelled
        }
    }
}

/// Length of the longest end of `text` that is a proper beginning of `stop`.
fn partial_suffix(text: &str, stop: &str) -> usize {
    (1..stop.len())
        .rev()
        .find(|length| stop.is_char_boundary(*length) && text.ends_with(&stop[..*length]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes `tokens` and returns the pieces handed out and the last step.
    fn run(stop: &[&str], tokens: &[&[u8]]) -> (Vec<String>, Step, String) {
        let stop: Vec<String> = stop.iter().map(|stop| (*stop).to_owned()).collect();
        let mut stream = TextStream::new(&stop);
        let mut pieces = Vec::new();
        let mut collect = |piece: &str| {
            pieces.push(piece.to_owned());
            true
        };
        let mut step = Step::Continue;
        for token in tokens {
            step = stream.push(token, &mut collect);
            if step != Step::Continue {
                let text = stream.into_emitted();
                return (pieces, step, text);
            }
        }
        let text = stream.finish(&mut collect);
        (pieces, step, text)
    }

    #[test]
    fn a_character_split_over_tokens_is_handed_out_whole() {
        let (pieces, _, text) = run(&[], &[b"caf", b"\xc3", b"\xa9!", b"\xf0\x9f", b"\x8e\x89"]);
        assert_eq!(pieces, ["caf", "é!", "🎉"]);
        assert_eq!(text, "café!🎉");
    }

    #[test]
    fn invalid_or_unfinished_bytes_become_replacement_characters() {
        let (pieces, _, text) = run(&[], &[b"a\xff", b"b\xc3"]);
        assert_eq!(pieces, ["a\u{fffd}", "b", "\u{fffd}"]);
        assert_eq!(text, "a\u{fffd}b\u{fffd}");
    }

    #[test]
    fn a_stop_string_is_cut_off_and_never_shown_in_part() {
        let (pieces, step, text) = run(&["\nUser:"], &[b"Hello", b" there\n", b"Us", b"er: hi"]);
        assert_eq!(step, Step::Stopped);
        assert_eq!(pieces, ["Hello", " there"]);
        assert_eq!(text, "Hello there");
        // A held tail that turns out not to be the stop string is handed out later.
        let (pieces, step, text) = run(&["\nUser:"], &[b"a\n", b"Use", b"ful"]);
        assert_eq!(step, Step::Continue);
        assert_eq!(pieces, ["a", "\nUseful"]);
        assert_eq!(text, "a\nUseful");
        // At the end of the generation the held tail is flushed.
        let (pieces, _, _) = run(&["###", ""], &[b"x#", b"#"]);
        assert_eq!(pieces, ["x", "##"]);
    }

    #[test]
    fn returning_false_cancels() {
        let mut stream = TextStream::new(&[]);
        let mut seen = Vec::new();
        let mut callback = |piece: &str| {
            seen.push(piece.to_owned());
            false
        };
        assert_eq!(stream.push(b"one", &mut callback), Step::Cancelled);
        assert_eq!(stream.into_emitted(), "one");
        assert_eq!(seen, ["one"]);
    }
}
