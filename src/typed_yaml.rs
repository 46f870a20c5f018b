//! Rule files and the config file are read into Rust types with
//! serde-saphyr. Its errors become what sitelint reports here, for both: the
//! offending place as a span of the file, and a message without the position
//! serde-saphyr writes into its text (the label shows the place).

use serde_saphyr::{MessageFormatter, UserMessageFormatter};

use crate::load::yaml::scan_problem;
use crate::source::Span;

/// What is wrong in a file serde-saphyr could not read, and where.
#[derive(Debug)]
pub struct Problem {
    pub span: Span,
    pub message: String,
}

/// The problem `error` reports in `text`, the text serde-saphyr read.
pub fn problem(text: &str, error: &serde_saphyr::Error) -> Problem {
    let message = UserMessageFormatter.format_message(error).into_owned();
    let Some(location) = error.location() else { return Problem { span: Span::default(), message } };
    let span = location.span();
    match span.byte_offset() {
        Some(start) => {
            let start = start as usize;
            Problem { span: Span::new(start, start + span.byte_len().unwrap_or(0) as usize), message }
        }
        // The scanner's errors (a tab, an unclosed quote) come with a
        // position in characters only, and after a tab rather than at it.
        None => {
            let at = text.char_indices().nth(span.offset() as usize).map_or(text.len(), |(at, _)| at);
            let (span, message) = scan_problem(text, at, &message);
            Problem { span, message }
        }
    }
}
