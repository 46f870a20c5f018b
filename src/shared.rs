//! Strings that point into the text of the file they were written in. A
//! big site has millions of them: every scalar of the spanned trees, and in
//! the model the accounts' ids, emails and names, and the references. Almost
//! all are written as they read; a copy of each was an allocation apiece,
//! a seventh of the model's memory, and most of a tree's (the YAML scanner
//! hands out strings with room to spare). The model's other strings (a few
//! per group, project or scheme) are `String`s.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use crate::source::Span;

/// A string: a slice of a file's text, or its own text when it was not
/// written as it reads (escapes, folded YAML lines). 16 bytes, and no
/// allocation of its own for a slice.
#[derive(Clone)]
pub struct Text {
    /// The file's text, or the string's own. An `Arc<String>` rather than
    /// an `Arc<str>`: a thin pointer, so a text is 16 bytes, not 24 (an
    /// account holds three).
    source: Arc<String>,
    start: u32,
    /// [`WHOLE`] when the string is all of `source`.
    len: u32,
}

/// The `len` of a text that owns its string, whatever its length.
const WHOLE: u32 = u32::MAX;

impl Text {
    /// `text`, read from `source` at `span`: a slice of `source` when the
    /// text is the span's content or what lies between its quotes.
    pub fn within(source: &Arc<String>, span: Span, text: &str) -> Text {
        // A string the parser left in place (JSON's without escapes) is a
        // slice of `source` already: where it lies is where it starts, with
        // no need to compare its bytes.
        let offset = (text.as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
        if offset <= source.len() && text.len() <= source.len() - offset {
            let range = offset..offset + text.len();
            if let (Ok(start), Ok(len)) = (u32::try_from(range.start), u32::try_from(range.len()))
                && len != WHOLE
            {
                return Text { source: Arc::clone(source), start, len };
            }
        }
        let quoted = span.start() + 1..span.end().saturating_sub(1);
        for range in [span.start()..span.end(), quoted] {
            if source.get(range.clone()) == Some(text)
                && let (Ok(start), Ok(len)) = (u32::try_from(range.start), u32::try_from(range.len()))
                && len != WHOLE
            {
                return Text { source: Arc::clone(source), start, len };
            }
        }
        Text::from(text)
    }

    /// Whether this is a slice of `source`, not a string of its own.
    #[cfg(test)]
    pub(crate) fn is_slice_of(&self, source: &Arc<String>) -> bool {
        self.len != WHOLE && Arc::ptr_eq(&self.source, source)
    }

    pub fn as_str(&self) -> &str {
        if self.len == WHOLE {
            return &self.source;
        }
        let start = self.start as usize;
        // Built from a range checked against `source`, so it is in bounds.
        self.source.get(start..start + self.len as usize).unwrap_or_default()
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text { source: Arc::new(text.to_string()), start: 0, len: WHOLE }
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_written_as_it_reads_is_a_slice_of_its_file() {
        let source = Arc::new(r#"{"email": "bob@contoso.com", "name": "Bob\u0020Ng"}"#.to_string());
        let quoted = Text::within(&source, Span::new(10, 27), "bob@contoso.com");
        assert_eq!((quoted.as_str(), quoted.len), ("bob@contoso.com", 15));
        assert!(Arc::ptr_eq(&quoted.source, &source));
        let plain = Text::within(&source, Span::new(11, 14), "bob");
        assert!(Arc::ptr_eq(&plain.source, &source));
        let escaped = Text::within(&source, Span::new(38, 51), "Bob Ng");
        assert_eq!((escaped.as_str(), escaped.len), ("Bob Ng", WHOLE));
        assert_eq!(escaped, Text::from("Bob Ng"));
        assert_eq!(Text::within(&source, Span::new(60, 70), "x"), "x");
        // A string that lies in the text is that slice, whatever the span.
        let in_place = Text::within(&source, Span::new(0, 1), &source[11..18]);
        assert_eq!((in_place.as_str(), in_place.start, in_place.len), ("bob@con", 11, 7));
        assert!(Arc::ptr_eq(&in_place.source, &source));
    }

    #[test]
    fn a_text_is_two_words() {
        assert_eq!(std::mem::size_of::<Text>(), 16);
        assert_eq!(std::mem::size_of::<Option<Text>>(), 16);
    }
}
