//! The REST words of the proto enums: `QUOTE_STATUS_CONTRACT_SENT` with
//! prefix `QUOTE_STATUS_` is `contract_sent`. One table per enum, read from
//! the proto enum itself, serves reading a word, writing one, the error that
//! lists the words, and the document's `enum`: a value added to the proto is
//! in all four at once.

use std::sync::LazyLock;

use utoipa::openapi::{
    RefOr,
    schema::{ArrayBuilder, Object, ObjectBuilder, Schema, Type},
};

use crate::problem::Problem;

pub struct Words {
    /// (proto value, REST word) of every value but the unspecified 0.
    all: Vec<(i32, String)>,
}

impl Words {
    /// The words of a proto enum from its name of a value (`as_str_name`),
    /// by prefix; the unspecified 0 has no word.
    pub fn of(prefix: &str, name: impl Fn(i32) -> Option<&'static str>) -> Words {
        // Proto enums here are small and dense: no value is above 63.
        let all = (1..64).filter_map(|v| name(v).map(|n| (v, n.trim_start_matches(prefix).to_lowercase()))).collect();
        Words { all }
    }

    /// The word of a proto value; empty for unspecified (and for a value this
    /// gateway does not know yet, which a newer service may send).
    pub fn word(&self, value: i32) -> String {
        self.all.iter().find(|(v, _)| *v == value).map(|(_, w)| w.clone()).unwrap_or_default()
    }

    /// The proto value of a word; the empty word is unspecified (0), any
    /// other a 400 naming `field` with the words it may be. Words are
    /// matched exactly, as the document lists them.
    pub fn value(&self, field: &str, word: &str) -> Result<i32, Problem> {
        if word.is_empty() {
            return Ok(0);
        }
        self.all
            .iter()
            .find(|(_, w)| w == word)
            .map(|(v, _)| *v)
            .ok_or_else(|| Problem::bad_request_field(field, format!("`{word}` is not one of {}", self.list())))
    }

    /// As `value`, but the word must be given.
    pub fn required(&self, field: &str, word: &str) -> Result<i32, Problem> {
        match self.value(field, word)? {
            0 => Err(Problem::bad_request_field(field, format!("is required: one of {}", self.list()))),
            v => Ok(v),
        }
    }

    /// Every word of a list (`interested_solutions`), none of them empty.
    pub fn values(&self, field: &str, words: &[String]) -> Result<Vec<i32>, Problem> {
        words.iter().map(|w| self.required(field, w)).collect()
    }

    /// The words, for a message: `draft, presented, contract_sent`.
    pub fn list(&self) -> String {
        self.all.iter().map(|(_, w)| w.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The document's schema of a field holding one word; with `empty`, the
    /// empty string (unspecified, or "keep the default" in an input) too.
    pub fn schema(&self, empty: bool) -> Object {
        let words = self.all.iter().map(|(_, w)| w.clone());
        let words: Vec<String> =
            if empty { std::iter::once(String::new()).chain(words).collect() } else { words.collect() };
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(words)).build()
    }

    /// As [`Words::schema`], for an optional field that also takes null (its
    /// default, as a missing field).
    pub fn nullable_schema(&self, empty: bool) -> Object {
        let mut schema = self.schema(empty);
        schema.schema_type = utoipa::openapi::schema::SchemaType::Array(vec![Type::String, Type::Null]);
        schema.enum_values.get_or_insert_with(Vec::new).push(serde_json::Value::Null);
        schema
    }

    /// The document's schema of a field holding a list of words.
    pub fn list_schema(&self) -> RefOr<Schema> {
        ArrayBuilder::new().items(self.schema(false)).build().into()
    }
}

/// The table of a proto enum by its prefix: `words!(pb::QuoteStatus, "QUOTE_STATUS_")`.
macro_rules! words {
    ($enum:ty, $prefix:literal) => {
        $crate::rest::words::Words::of($prefix, |v| <$enum>::try_from(v).ok().map(|e| e.as_str_name()))
    };
}
pub(crate) use words;

/// A table as a static and the document's schema of a field holding one
/// of its words, as the function a `#[schema(schema_with = …)]` names:
/// `table!(STATUS, status_schema, pb::QuoteStatus, "QUOTE_STATUS_", empty: false)`;
/// `empty: true` allows the empty word too, and `list` is the schema of a
/// field holding a list of words.
macro_rules! table {
    ($vis:vis $name:ident, $schema:ident, $enum:ty, $prefix:literal, empty: $empty:literal) => {
        $vis static $name: $crate::rest::words::Table =
            $crate::rest::words::Table::new(|| $crate::rest::words::words!($enum, $prefix));
        $vis fn $schema() -> utoipa::openapi::schema::Object {
            $name.schema($empty)
        }
    };
    ($vis:vis $name:ident, $schema:ident, $enum:ty, $prefix:literal, list) => {
        $vis static $name: $crate::rest::words::Table =
            $crate::rest::words::Table::new(|| $crate::rest::words::words!($enum, $prefix));
        $vis fn $schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
            $name.list_schema()
        }
    };
}
pub(crate) use table;

/// A table built on first use, as `table!` (or a `static` of its own) declares it.
pub type Table = LazyLock<Words>;

#[cfg(test)]
mod tests {
    use prm_proto::quote::v1 as pb;

    static STATUS: super::Table = super::Table::new(|| words!(pb::QuoteStatus, "QUOTE_STATUS_"));

    #[test]
    fn a_word_is_its_proto_name_without_the_prefix() {
        assert_eq!(STATUS.word(pb::QuoteStatus::ContractSent as i32), "contract_sent");
        assert_eq!(STATUS.word(0), "");
        assert_eq!(STATUS.word(999), "");
        assert_eq!(STATUS.value("status", "contract_sent").unwrap(), pb::QuoteStatus::ContractSent as i32);
        assert_eq!(STATUS.value("status", "").unwrap(), 0);
        assert_eq!(STATUS.list(), "draft, presented, contract_sent, accepted, rejected, expired");
    }

    #[test]
    fn an_unknown_or_missing_word_names_the_field_and_the_words() {
        for (word, required) in
            [("sold", false), ("unspecified", false), ("Accepted", false), (" draft", false), ("", true)]
        {
            let e = if required { STATUS.required("status", word) } else { STATUS.value("status", word) }.unwrap_err();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
            assert_eq!(e.field.as_deref(), Some("status"), "{word}");
            assert!(e.detail.contains("draft, presented"), "{word}: {}", e.detail);
        }
    }

    #[test]
    fn the_schema_lists_the_words() {
        let s = serde_json::to_value(STATUS.schema(true)).unwrap();
        assert_eq!(s["enum"][0], "");
        assert_eq!(s["enum"][3], "contract_sent");
        let s = serde_json::to_value(STATUS.schema(false)).unwrap();
        assert_eq!(s["enum"].as_array().unwrap().len(), 6);
    }
}
