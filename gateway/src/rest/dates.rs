//! The document's schemas of calendar-date fields. The services read a date
//! one way (`prm_kit::time::date`: exactly `2026-12-31`), so the document
//! can say `format: date` and mean it; an optional date takes "" (and, where
//! the field is nullable, null) for none.

use utoipa::openapi::{
    RefOr,
    schema::{KnownFormat, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type},
};

/// A date, `2026-12-31`.
pub fn date_schema() -> Object {
    ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))).build()
}

/// A date, or "" for none.
pub fn date_or_empty_schema() -> RefOr<Schema> {
    Schema::OneOf(OneOfBuilder::new().item(date_schema()).item(empty()).build()).into()
}

/// A date, or "" or null for none.
pub fn nullable_date_schema() -> RefOr<Schema> {
    let none = ObjectBuilder::new().schema_type(Type::Null);
    Schema::OneOf(OneOfBuilder::new().item(date_schema()).item(empty()).item(none).build()).into()
}

/// An answer's date that is null when there is none.
pub fn date_or_null_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::Array(vec![Type::String, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .build()
}

fn empty() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some([""])).build()
}
