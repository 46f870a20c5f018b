//! A list of strings the view keeps, as a CEL list that borrows it:
//! `x in list` is a hash lookup and nothing is copied per read. For
//! `customer_access.external_domains`, which CA004 tests every customer
//! reference against (a site may list hundreds of domains).

use foldhash::HashSet;

use cel::ExecutionError;
use cel::common::traits::{self, Container, Iterable, Sizer};
use cel::common::types::{CelInt, CelString, LIST_TYPE, Type};
use cel::common::value::Val;

/// The strings, in order, and the same as a set.
#[derive(Debug, Default)]
pub struct Texts {
    items: Vec<CelString<'static>>,
    set: HashSet<String>,
}

impl Texts {
    pub fn new(items: impl IntoIterator<Item = String>) -> Texts {
        let items: Vec<String> = items.into_iter().collect();
        let set = items.iter().cloned().collect();
        Texts { items: items.into_iter().map(CelString::from).collect(), set }
    }

    pub fn as_val(&self) -> TextList<'_> {
        TextList(self)
    }
}

/// [`Texts`] as a CEL list.
#[derive(Debug, Clone, Copy)]
pub struct TextList<'a>(&'a Texts);

impl Val for TextList<'_> {
    fn get_type(&self) -> &Type {
        &LIST_TYPE
    }

    fn cel_type() -> &'static Type {
        &LIST_TYPE
    }

    fn as_container(&self) -> Option<&dyn Container> {
        Some(self)
    }

    fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        Some(self)
    }

    fn equals(&self, other: &dyn Val) -> bool {
        let Some(other) = other.as_iterable() else { return false };
        let mut other = other.iter();
        let mut mine = self.0.items.iter();
        loop {
            match (mine.next(), other.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a.equals(b) => {}
                _ => return false,
            }
        }
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
    where
        Self: 'w,
    {
        Box::new(*self)
    }
}

impl Container for TextList<'_> {
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(value.downcast_ref::<CelString>().is_some_and(|s| self.0.set.contains(s.inner())))
    }
}

impl Sizer for TextList<'_> {
    fn size(&self) -> CelInt {
        (self.0.items.len() as i64).into()
    }
}

impl Iterable for TextList<'_> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn traits::Iterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        Box::new(Items(self.0.items.iter()))
    }
}

struct Items<'b>(std::slice::Iter<'b, CelString<'static>>);

impl<'b, 'w> traits::Iterator<'b, 'w> for Items<'b> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        self.0.next().map(|s| s as &dyn Val)
    }
}

#[cfg(test)]
mod tests {
    use cel::{Context, Program, Value};

    use super::Texts;

    #[test]
    fn reads_as_a_cel_list_of_strings() {
        let texts = Texts::new(["a.com".to_string(), "c.com".to_string()]);
        let mut ctx = Context::default();
        ctx.add_variable_as_val("d", Box::new(texts.as_val()));
        let holds = |expr: &str| Program::compile(expr).unwrap().execute(&ctx).unwrap() == Value::Bool(true);
        assert!(holds("'a.com' in d && !('b.com' in d) && !(1 in d)"));
        assert!(holds("size(d) == 2 && d.exists(x, x == 'c.com') && !d.all(x, x == 'c.com')"));
        assert!(holds("d.map(x, x + '!') == ['a.com!', 'c.com!'] && d == ['a.com', 'c.com']"));
        assert!(!holds("d == ['c.com', 'a.com']"));
    }
}
