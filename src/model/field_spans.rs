//! Where an entity's written fields are, kept small: recorded fields are the
//! model's most numerous records (four for each portal-only customer, whose
//! account is itself 96 bytes).
//!
//! A field is 8 bytes when it sits as fields usually do: its value within
//! 64 KiB of the entity's start and under 64 KiB long, its key under 255
//! bytes and at most 255 bytes before the value. It is then recorded
//! relative to its entity. Any other field (a long list of customers, a key
//! past a long comment) takes three slots of 8 bytes, with its spans as
//! they are. Both kinds share one list, read in order.

use thin_vec::ThinVec;

use crate::source::Span;

/// A field's dotted path below its entity (`signup`,
/// `roles.jira-servicemanagement`): a key of a schema (numbered by
/// `decode`), or one of the entity's named paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPath(u16);

impl FieldPath {
    /// Paths from here on are indices into the entity's named paths.
    const NAMED: u16 = 1 << 15;
    /// The key the entity itself is written under; no schema's key.
    pub(super) const KEY: FieldPath = FieldPath(Self::NAMED - 1);

    /// A schema's key, numbered by `decode` (below 2^15 - 1).
    pub(super) fn known(number: u16) -> FieldPath {
        debug_assert!(number < Self::KEY.0);
        FieldPath(number)
    }

    /// The path of the entity's `index`th named path, if there can be one
    /// (fewer than 2^15).
    pub(super) fn named(index: usize) -> Option<FieldPath> {
        u16::try_from(index).ok().filter(|i| *i < Self::NAMED).map(|i| FieldPath(Self::NAMED | i))
    }

    pub(super) fn kind(self) -> PathKind {
        match self.0 & Self::NAMED {
            _ if self == Self::KEY => PathKind::Key,
            0 => PathKind::Known(self.0),
            _ => PathKind::Named(usize::from(self.0 & !Self::NAMED)),
        }
    }
}

/// What a [`FieldPath`] names.
pub(super) enum PathKind {
    /// A schema's key, by the number `decode` gave it.
    Known(u16),
    /// The entity's named path at this index.
    Named(usize),
    /// The key the entity itself is written under.
    Key,
}

/// A recorded field, as [`FieldSpans::iter`] reads it back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct FieldSpan {
    pub path: FieldPath,
    pub key: Span,
    pub value: Span,
}

/// An entity's recorded fields, in the order recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct FieldSpans(ThinVec<Slot>);

/// 8 bytes of the list. A relative field is one slot: the path, the key's
/// length and its distance before the value (a byte each); the value's
/// offset from the entity's start and its length (16 bits each). Any other
/// field is a head slot (the path and [`WIDE`]), then its key's and its
/// value's start and end.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot(u32, u32);

/// The low half of a head slot's first word. A relative field's key is
/// under 255 bytes long, so its first word never ends so.
const WIDE: u32 = 0xFFFF;

impl FieldSpans {
    /// Room for `fields` relative fields, recorded next.
    pub fn reserve(&mut self, fields: usize) {
        self.0.reserve_exact(fields);
    }

    /// Records a field of the entity at `entity`.
    pub fn push(&mut self, entity: Span, path: FieldPath, key: Span, value: Span) {
        let path_bits = u32::from(path.0) << 16;
        match relative(entity, key, value) {
            Some((low, second)) => self.0.push(Slot(path_bits | low, second)),
            None => {
                self.0.push(Slot(path_bits | WIDE, 0));
                self.0.push(Slot(key.start() as u32, key.end() as u32));
                self.0.push(Slot(value.start() as u32, value.end() as u32));
            }
        }
    }

    /// The fields of the entity at `entity`, in the order recorded.
    pub fn iter(&self, entity: Span) -> impl Iterator<Item = FieldSpan> + '_ {
        let mut slots = self.0.iter();
        std::iter::from_fn(move || {
            let head = slots.next()?;
            let path = FieldPath((head.0 >> 16) as u16);
            if head.0 & 0xFFFF == WIDE {
                let mut span = || slots.next().map_or_else(Span::default, |s| span_of(s.0, s.1));
                let key = span();
                return Some(FieldSpan { path, key, value: span() });
            }
            let value_start = entity.start() + (head.1 >> 16) as usize;
            let value = Span::new(value_start, value_start + (head.1 & 0xFFFF) as usize);
            let key_end = value_start.saturating_sub(((head.0 >> 8) & 0xFF) as usize);
            let key = Span::new(key_end.saturating_sub((head.0 & 0xFF) as usize), key_end);
            Some(FieldSpan { path, key, value })
        })
    }
}

fn span_of(start: u32, end: u32) -> Span {
    Span::new(start as usize, end as usize)
}

/// The two words of a relative field, if it can be one.
fn relative(entity: Span, key: Span, value: Span) -> Option<(u32, u32)> {
    let key_len = u8::try_from(key.len()).ok().filter(|len| u32::from(*len) < 0xFF)?;
    let gap = u8::try_from(value.start().checked_sub(key.end())?).ok()?;
    let offset = u16::try_from(value.start().checked_sub(entity.start())?).ok()?;
    let len = u16::try_from(value.len()).ok()?;
    let low = u32::from(gap) << 8 | u32::from(key_len);
    Some((low, u32::from(offset) << 16 | u32::from(len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(entity: Span, fields: &[(Span, Span)]) -> (Vec<(Span, Span)>, usize) {
        let mut spans = FieldSpans::default();
        for (index, (key, value)) in fields.iter().enumerate() {
            spans.push(entity, FieldPath::known(index as u16), *key, *value);
        }
        let read: Vec<FieldSpan> = spans.iter(entity).collect();
        let paths: Vec<FieldPath> = read.iter().map(|f| f.path).collect();
        let expected: Vec<FieldPath> = (0..fields.len()).map(|i| FieldPath::known(i as u16)).collect();
        assert_eq!(paths, expected);
        (read.iter().map(|f| (f.key, f.value)).collect(), spans.0.len())
    }

    #[test]
    fn fields_near_their_entity_take_one_slot_each() {
        let entity = Span::new(1_000_000, 1_000_300);
        let fields = [
            (Span::new(1_000_002, 1_000_014), Span::new(1_000_016, 1_000_100)),
            (Span::new(1_000_104, 1_000_109), Span::new(1_000_111, 1_000_111)),
            // A key of 254 bytes, 255 bytes before its value.
            (Span::new(1_000_001, 1_000_255), Span::new(1_000_510, 1_066_045)),
        ];
        assert_eq!(read_back(entity, &fields), (fields.to_vec(), 3));
    }

    #[test]
    fn any_other_field_takes_three_slots_and_keeps_its_spans() {
        let entity = Span::new(100, 200_000);
        let fields = [
            // Past 64 KiB from the entity's start.
            (Span::new(70_000, 70_005), Span::new(70_007, 70_010)),
            // 64 KiB long.
            (Span::new(102, 105), Span::new(107, 107 + 65_536)),
            // A key of 255 bytes; a key 256 bytes before its value.
            (Span::new(110, 365), Span::new(367, 370)),
            (Span::new(400, 405), Span::new(661, 670)),
            // Before the entity, or after the value: not as fields are
            // written, and kept as they are all the same.
            (Span::new(10, 20), Span::new(50, 60)),
            (Span::new(300, 310), Span::new(200, 210)),
            // And one relative field between them.
            (Span::new(700, 705), Span::new(707, 710)),
        ];
        assert_eq!(read_back(entity, &fields), (fields.to_vec(), 6 * 3 + 1));
    }

    #[test]
    fn a_slot_is_8_bytes_and_the_list_one_pointer() {
        assert_eq!(std::mem::size_of::<Slot>(), 8);
        assert_eq!(std::mem::size_of::<FieldSpans>(), 8);
    }
}
