//! sitelint's own CEL functions, for pointing at places:
//!
//! - `key_of(e)`: the key `e` is written under (a section, an app, a role name),
//!   or `e` itself when it has none;
//! - `key_of(e, "field")`: the key of a field of `e`;
//! - `value_of(e, "field")`: the value of a field of `e`;
//! - `stated(e, "field")`: whether the snapshot writes that field (defaults
//!   feed reasoning, but a finding about a setting itself needs it written).
//!
//! `key_of` and `value_of` fall back to the entity when the field is not written.

use cel::extractors::Arguments;
use cel::objects::Key;
use cel::{Context, ExecutionError, Value};

pub const LOC: &str = "_loc";
pub const FIELD: &str = "_field";
pub const PART: &str = "_part";
pub const STATED: &str = "_stated";

pub fn register(ctx: &mut Context) {
    // The names are not in the standard library, so registering cannot clash.
    for (name, f) in [
        ("key_of", key as fn(Arguments) -> Result<Value, ExecutionError>),
        ("value_of", value),
        ("stated", stated),
    ] {
        ctx.add_function(name, f).expect("sitelint's function names are not CEL's");
    }
}

fn key(Arguments(args): Arguments) -> Result<Value, ExecutionError> {
    match args.as_slice() {
        [entity] => place("key_of", entity, None, "key"),
        [entity, Value::String(field)] => place("key_of", entity, Some(field), "key"),
        _ => Err(ExecutionError::function_error(
            "key_of",
            "expects key_of(entity) or key_of(entity, \"field\")",
        )),
    }
}

fn value(Arguments(args): Arguments) -> Result<Value, ExecutionError> {
    match args.as_slice() {
        [entity, Value::String(field)] => place("value_of", entity, Some(field), "value"),
        _ => Err(ExecutionError::function_error("value_of", "expects value_of(entity, \"field\")")),
    }
}

fn stated(Arguments(args): Arguments) -> Result<Value, ExecutionError> {
    match args.as_slice() {
        [Value::Map(m), Value::String(field)] => Ok(Value::Bool(match m.map.get(&Key::from(STATED)) {
            Some(Value::List(fields)) => fields.iter().any(|f| matches!(f, Value::String(s) if s == field)),
            _ => false,
        })),
        [Value::Null, Value::String(_)] => Ok(Value::Bool(false)),
        _ => Err(ExecutionError::function_error("stated", "expects stated(entity, \"field\")")),
    }
}

/// A location value: the entity's `_loc`, and which part of which field.
fn place(
    function: &str,
    entity: &Value,
    field: Option<&std::sync::Arc<String>>,
    part: &str,
) -> Result<Value, ExecutionError> {
    let loc = match entity {
        Value::Map(m) => m.map.get(&Key::from(LOC)).cloned(),
        Value::Null => return Ok(Value::Null),
        _ => None,
    };
    let Some(loc) = loc else {
        return Err(ExecutionError::function_error(
            function,
            "the first argument is not a place in the snapshot",
        ));
    };
    let mut map = std::collections::HashMap::new();
    map.insert(Key::from(LOC), loc);
    map.insert(Key::from(PART), Value::from(part));
    if let Some(field) = field {
        map.insert(Key::from(FIELD), Value::String(field.clone()));
    }
    Ok(Value::from(map))
}
