//! Template values that cost less memory than `Value::from_serialize` gives,
//! for the largest parts of what templates see. They read the same from a
//! template (same attributes, same order, same truth and length), so the
//! rendered files do not change.
//!
//! - [`Items`]: a list whose items become values only when a template
//!   reads them, and are let go after. For lists as long as the model (the
//!   explanation of every element), which would otherwise be held twice,
//!   once as structs and once as values.
//! - [`Json`]: `serde_json::Value`s as template values whose objects are
//!   sorted vectors that share their key lists, rather than B-trees (a
//!   B-tree node has room for eleven entries however few it holds, and
//!   keeps its own keys: the migration chain of a large schema is mostly
//!   objects of one to nine keys, the same keys again and again).

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::Value;
use serde::Serialize;
use std::sync::Arc;

/// A list of `T`s whose items are made into values as they are read.
#[derive(Debug)]
pub struct Items<T>(pub Arc<Vec<T>>);

impl<T> Object for Items<T>
where
    T: Serialize + std::fmt::Debug + Send + Sync + 'static,
{
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let item = self.0.get(key.as_usize()?)?;
        Some(Value::from_serialize(item))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.0.len())
    }
}

/// An object of a JSON value: its entries sorted by key, as a map value
/// made from a B-tree would list them. Objects with the same keys share
/// one list of them (the fields of every table have the same keys).
#[derive(Debug)]
struct Sorted {
    keys: Arc<[Value]>,
    values: Box<[Value]>,
}

impl Object for Sorted {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let i = self.keys.binary_search(key).ok()?;
        Some(self.values[i].clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.keys.to_vec())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.keys.len())
    }
}

/// Makes template values of JSON values, sharing the key lists of their
/// objects.
#[derive(Default)]
pub struct Json {
    keys: std::collections::HashSet<Arc<[Value]>>,
}

impl Json {
    /// `v` as a template value: what `Value::from_serialize(v)` gives, with
    /// objects held as sorted vectors.
    pub fn value(&mut self, v: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match v {
            J::Null => Value::from(()),
            J::Bool(b) => Value::from(*b),
            // As serde_json serialises a number: unsigned, else signed,
            // else floating point.
            J::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Value::from(u),
                (None, Some(i)) => Value::from(i),
                _ => Value::from(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::from(s.as_str()),
            J::Array(items) => Value::from(items.iter().map(|v| self.value(v)).collect::<Vec<_>>()),
            J::Object(map) => {
                let mut entries: Vec<(Value, Value)> = map
                    .iter()
                    .map(|(k, v)| (Value::from(k.as_str()), self.value(v)))
                    .collect();
                // serde_json's map is sorted already, by the same order.
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                let (keys, values): (Vec<Value>, Vec<Value>) = entries.into_iter().unzip();
                let keys = match self.keys.get(&keys[..]) {
                    Some(shared) => Arc::clone(shared),
                    None => {
                        let shared: Arc<[Value]> = keys.into();
                        self.keys.insert(Arc::clone(&shared));
                        shared
                    }
                };
                Value::from_object(Sorted {
                    keys,
                    values: values.into_boxed_slice(),
                })
            }
        }
    }
}

/// [`Json::value`] for one value.
#[cfg(test)]
fn json(v: &serde_json::Value) -> Value {
    Json::default().value(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Environment;

    /// Renders `template` with `x` bound to `value`.
    fn render(template: &str, x: Value) -> String {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.render_str(template, minijinja::context! { x })
            .unwrap_or_else(|e| format!("error: {}", e.kind()))
    }

    /// Templates that read every way a template reads a value.
    const READS: &[&str] = &[
        "{{ x|tojson }}",
        "{{ x }}",
        "{{ x|length }}",
        "{% if x %}yes{% else %}no{% endif %}",
        "{% for k in x %}{{ k }};{% endfor %}",
        "{% if x is mapping %}{% for k, v in x|items %}{{ k }}={{ v }};{% endfor %}{% endif %}",
        "{% if x is mapping %}{{ x|dictsort }}{% endif %}",
        "{{ x.b is defined }} {{ x.zz is defined }}",
        "{% if x is mapping %}{{ x.b }}{{ x['a'] }}{% endif %}",
        "{% if x is sequence %}{{ x[0] }} {{ x|first }} {{ x|last }} {{ x|reverse|list }}{% endif %}",
        "{% if x is sequence %}{{ x|selectattr('k', 'eq', 1)|list }}{{ x|map(attribute='k')|list }}{% endif %}",
        "{{ x is mapping }} {{ x is sequence }} {{ x is iterable }}",
        "{{ x == x }}",
    ];

    #[test]
    fn json_values_read_as_serialized_ones() {
        let samples = [
            serde_json::json!({"b": 1, "a": [true, null, -2, 2.5, "s"], "c": {"kind": "uuid"}}),
            serde_json::json!({}),
            serde_json::json!([{"k": 1}, {"k": 2, "z": {"y": []}}]),
            serde_json::json!([]),
            serde_json::json!({"a": "a string longer than twenty-two bytes", "b": u64::MAX}),
            serde_json::json!("text"),
        ];
        for sample in &samples {
            for t in READS {
                assert_eq!(
                    render(t, json(sample)),
                    render(t, Value::from_serialize(sample)),
                    "{t} on {sample}"
                );
            }
        }
    }

    #[derive(Debug, Serialize)]
    struct Item {
        k: u32,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        extra: Option<String>,
    }

    #[test]
    fn items_read_as_a_serialized_list() {
        let items = || {
            vec![
                Item {
                    k: 1,
                    name: "one".into(),
                    extra: None,
                },
                Item {
                    k: 2,
                    name: "two".into(),
                    extra: Some("more".into()),
                },
            ]
        };
        for list in [items(), vec![]] {
            let serialized = Value::from_serialize(&list);
            let lazy = Value::from_object(Items(Arc::new(list)));
            for t in READS.iter().chain(&[
                "{% for i in x %}{{ i.name }}{{ i.extra is defined }};{% endfor %}",
                "{{ x|rejectattr('k', 'in', [2])|map(attribute='name')|join(',') }}",
                "{% for i in x|selectattr('extra', 'defined') %}{{ loop.index }}{{ i.extra }}{% endfor %}",
            ]) {
                assert_eq!(render(t, lazy.clone()), render(t, serialized.clone()), "{t}");
            }
        }
    }
}
