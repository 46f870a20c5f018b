//! sitelint's own CEL functions, for pointing at places:
//!
//! - `key_of(e)`: the place of the key `e` is written under (a section, an
//!   app, a role name), or of `e` itself when it has none;
//! - `key_of(e, "field")`: the place of the key of a field of `e`;
//! - `value_of(e, "field")`: the place of the value of a field of `e` (a
//!   place, for `at`: not the value, which is `e.field`);
//! - `stated(e, "field")`: whether the snapshot writes that field (defaults
//!   feed reasoning, but a finding about a setting itself needs it written).
//!
//! `key_of` and `value_of` fall back to the entity when the field is not
//! written. They ask the value itself, through the place protocol of
//! [`super::view::node`], so they work on any node without a copy of it.

use cel::common::types::{CelBool, CelNull, CelString};
use cel::common::value::{CowVal, Val};
use cel::extractors::IntoResolveResult;
use cel::{Context, ExecutionError, FunctionContext};

use super::view::node::Place;

/// The hidden key a value that stands for a place answers with its
/// [`Place`].
pub const LOC: &str = "_loc";

pub fn register(ctx: &mut Context) {
    // The names are not in the standard library, so registering cannot clash.
    for (name, f) in
        [("key_of", key as fn(&FunctionContext) -> Answer), ("value_of", value), ("stated", stated)]
    {
        ctx.add_function(name, f).expect("sitelint's function names are not CEL's");
    }
}

/// What the functions return: a value of their own (a place, a bool, null),
/// never one borrowed from the call, so it converts to any call's lifetimes.
/// (`cel::Value` cannot hold a place, and cel has no such impl for a box.)
struct Answer(Result<Box<dyn Val>, ExecutionError>);

impl<'c, 'v> IntoResolveResult<'c, 'v> for Answer {
    fn into_resolve_result(self) -> Result<CowVal<'c, 'v>, ExecutionError> {
        self.0.map(CowVal::Owned)
    }
}

fn key(ftx: &FunctionContext) -> Answer {
    Answer(match (ftx.args.len(), field(ftx)) {
        (1, _) => place(ftx, "_key".to_string()),
        (2, Some(field)) => place(ftx, format!("_key:{field}")),
        _ => Err(ftx.error("expects key_of(entity) or key_of(entity, \"field\")")),
    })
}

fn value(ftx: &FunctionContext) -> Answer {
    Answer(match (ftx.args.len(), field(ftx)) {
        (2, Some(field)) => place(ftx, format!("_value:{field}")),
        _ => Err(ftx.error("expects value_of(entity, \"field\")")),
    })
}

fn stated(ftx: &FunctionContext) -> Answer {
    let (2, Some(field)) = (ftx.args.len(), field(ftx)) else {
        return Answer(Err(ftx.error("expects stated(entity, \"field\")")));
    };
    let entity = &*ftx.args[0];
    let stated = if entity.downcast_ref::<CelNull>().is_some() {
        // An absent section states nothing.
        false
    } else {
        let Some(entity) = entity.as_indexer() else {
            return Answer(Err(ftx.error("the first argument is not a place in the snapshot")));
        };
        // A map that is no place (a literal, a defaulted section) states nothing either.
        entity
            .get(&CelString::from(format!("_stated:{field}")))
            .ok()
            .and_then(|v| v.downcast_ref::<CelBool>().map(|b| *b.inner()))
            .unwrap_or(false)
    };
    Answer(Ok(Box::new(CelBool::from(stated))))
}

/// The field name of a two-argument call, when it is a string.
fn field(ftx: &FunctionContext) -> Option<String> {
    ftx.args.get(1)?.downcast_ref::<CelString>().map(|s| s.inner().to_string())
}

/// The place `key` of the first argument names, in the place protocol;
/// null for null.
fn place(ftx: &FunctionContext, key: String) -> Result<Box<dyn Val>, ExecutionError> {
    let entity = &*ftx.args[0];
    if entity.downcast_ref::<CelNull>().is_some() {
        return Ok(Box::new(CelNull));
    }
    let place = entity.as_indexer().and_then(|e| e.get(&CelString::from(key)).ok());
    place
        .and_then(|place| place.downcast_ref::<Place>().copied())
        .map(|place| Box::new(place) as Box<dyn Val>)
        .ok_or_else(|| ftx.error("the first argument is not a place in the snapshot"))
}
