//! Global search over a service's own records, in its own database.
//!
//! Every searchable record keeps one row in `search_documents`, written in the
//! same transaction as the record: its title and subtitle as shown, and its
//! searchable text *folded* (lower case, accents removed) once, here, so that
//! PostgreSQL and SQLite match the same way. Phone numbers are kept as their
//! digits, so a number matches whatever its formatting.
//!
//! - PostgreSQL: a `tsvector` of the folded text with a GIN index finds whole
//!   words and word prefixes; `pg_trgm` GIN indexes find any part of a word, an
//!   e-mail or a phone number (`LIKE '%…%'` is answered from the index).
//! - SQLite: an FTS5 table with the trigram tokenizer, kept in step by triggers.
//!
//! Results are ranked the same way on both: the exact title first, then titles
//! that start with the query, then a word of the title, then anywhere in the
//! title, then the other text (e-mail, company, number), shortest title first.

use prm_proto::{
    common::v1::{RecordRef, RecordType},
    record::v1::{SearchRecordsRequest, SearchRecordsResponse, SearchResult, search_service_server},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, Set,
    sea_query::{Expr, ExprTrait, OnConflict, SimpleExpr},
};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, prelude::async_trait};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
use uuid::Uuid;

use crate::{Caller, Error, Result, record::type_name, scope::Scope};

/// Lower case without accents: what is stored and what is looked for.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'ß' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The digits of a phone number, whatever its formatting.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// What a record shows in search results and what it is found by.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: RecordType,
    pub id: Uuid,
    pub partner_id: Uuid,
    pub title: String,
    pub subtitle: String,
    /// Other text it is found by: e-mail, company, number, city…
    pub terms: Vec<String>,
    /// Phone numbers, found by their digits.
    pub phones: Vec<String>,
}

impl Document {
    pub fn new(kind: RecordType, id: Uuid, partner_id: Uuid, title: impl Into<String>) -> Self {
        Document { kind, id, partner_id, title: title.into(), subtitle: String::new(), terms: vec![], phones: vec![] }
    }

    /// The subtitle: the non-empty parts, joined by " · ".
    pub fn subtitle<'a>(mut self, parts: impl IntoIterator<Item = &'a str>) -> Self {
        self.subtitle = parts.into_iter().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>().join(" · ");
        self
    }

    pub fn terms<'a>(mut self, terms: impl IntoIterator<Item = &'a str>) -> Self {
        self.terms.extend(terms.into_iter().filter(|t| !t.trim().is_empty()).map(str::to_string));
        self
    }

    pub fn phones<'a>(mut self, phones: impl IntoIterator<Item = &'a str>) -> Self {
        self.phones.extend(phones.into_iter().filter(|p| !p.trim().is_empty()).map(str::to_string));
        self
    }
}

pub mod search_document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_type: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub record_id: Uuid,
        pub partner_id: Uuid,
        pub title: String,
        pub subtitle: String,
        /// The folded title, for ranking.
        pub title_key: String,
        /// The folded title and terms, space separated: what words match.
        pub terms: String,
        /// The digits of each phone number, space separated.
        pub digits: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use search_document as doc;

/// Writes (or rewrites) the document of a record; call it in the
/// transaction that writes the record.
pub async fn put<C: ConnectionTrait>(conn: &C, d: &Document) -> Result<()> {
    doc::Entity::insert(row(d))
        .on_conflict(
            OnConflict::columns([doc::Column::RecordType, doc::Column::RecordId])
                .update_columns([
                    doc::Column::PartnerId,
                    doc::Column::Title,
                    doc::Column::Subtitle,
                    doc::Column::TitleKey,
                    doc::Column::Terms,
                    doc::Column::Digits,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The stored row of a document: its text folded, its phones as digits.
pub fn row(d: &Document) -> doc::ActiveModel {
    let title_key = fold(d.title.trim());
    let mut terms = title_key.clone();
    for t in &d.terms {
        terms.push(' ');
        terms.push_str(&fold(t.trim()));
    }
    doc::ActiveModel {
        record_type: Set(type_name(d.kind).to_string()),
        record_id: Set(d.id),
        partner_id: Set(d.partner_id),
        title: Set(d.title.clone()),
        subtitle: Set(d.subtitle.clone()),
        title_key: Set(title_key),
        terms: Set(terms),
        digits: Set(d.phones.iter().map(|p| digits(p)).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")),
    }
}

/// Forgets a deleted record.
pub async fn remove<C: ConnectionTrait>(conn: &C, kind: RecordType, id: Uuid) -> Result<()> {
    doc::Entity::delete_many()
        .filter(doc::Column::RecordType.eq(type_name(kind)))
        .filter(doc::Column::RecordId.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Puts the document of every row of `E`, a page of 500 at a time in `id`
/// order, reading only `columns` into `R`: the data migration that indexes
/// the records written before search documents existed (or again, as an
/// upsert it is harmless).
pub async fn backfill<E, R, C>(
    conn: &C,
    id: E::Column,
    columns: &[E::Column],
    key: impl Fn(&R) -> Uuid,
    document: impl Fn(&R) -> Document,
) -> std::result::Result<(), DbErr>
where
    E: EntityTrait,
    E::Column: ColumnTrait + Copy,
    R: sea_orm::FromQueryResult,
    C: ConnectionTrait,
{
    const PAGE: u64 = 500;
    let mut after = Uuid::nil();
    loop {
        let page: Vec<R> = E::find()
            .select_only()
            .columns(columns.iter().copied())
            .filter(id.gt(after))
            .order_by_asc(id)
            .limit(PAGE)
            .into_model::<R>()
            .all(conn)
            .await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = key(last);
        for row in &page {
            put(conn, &document(row)).await.map_err(|e| DbErr::Custom(e.to_string()))?;
        }
    }
}

pub const MIN_QUERY_CHARS: usize = 2;
pub const MAX_QUERY_CHARS: usize = 200;
pub const DEFAULT_LIMIT: u64 = 10;
pub const MAX_LIMIT: u64 = 50;

/// A checked search query.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The folded query, spaces collapsed.
    pub text: String,
    /// Its words.
    pub words: Vec<String>,
    /// Its digits, when the query is a phone number (3 digits or more and
    /// nothing but phone punctuation besides).
    pub phone: Option<String>,
}

impl Query {
    pub fn parse(raw: &str) -> Result<Query> {
        let raw = raw.trim();
        let n = raw.chars().count();
        if n < MIN_QUERY_CHARS {
            return Err(Error::invalid("query", format!("needs at least {MIN_QUERY_CHARS} characters")));
        }
        if n > MAX_QUERY_CHARS {
            return Err(Error::invalid("query", format!("is longer than {MAX_QUERY_CHARS} characters")));
        }
        // Nobody types them, and SQLite's full-text parser ends a phrase at a NUL.
        if raw.chars().any(char::is_control) {
            return Err(Error::invalid("query", "contains control characters"));
        }
        let words: Vec<String> = fold(raw).split_whitespace().map(str::to_string).collect();
        let text = words.join(" ");
        let d = digits(raw);
        let phone_like = raw.chars().all(|c| c.is_ascii_digit() || " +-().\u{a0}/".contains(c));
        let phone = (phone_like && d.len() >= 3).then_some(d);
        Ok(Query { text, words, phone })
    }

    /// How well `title_key`/`terms`/`digits` match, 0 to 1: the tiers of the
    /// module documentation, the shorter title first within a tier.
    pub fn score(&self, title_key: &str, terms: &str, digits: &str) -> f64 {
        let q = self.text.as_str();
        let tier = if title_key == q {
            1.0
        } else if title_key.starts_with(q) {
            0.9
        } else if title_key.contains(&format!(" {q}")) {
            0.8
        } else if title_key.contains(q) {
            0.7
        } else if self.phone.as_deref().is_some_and(|p| digits.split(' ').any(|d| d == p)) {
            0.65
        } else if self.words.iter().all(|w| terms.contains(w.as_str())) {
            0.5
        } else {
            0.4
        };
        if tier == 1.0 {
            return tier;
        }
        // Within a tier, the shorter title is the closer match.
        let length_penalty = (title_key.chars().count().min(100) as f64) / 10_000.0;
        tier - length_penalty
    }
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `col LIKE pattern`. sea-query binds the values of a custom expression at
/// the backend's own placeholder: `?` on SQLite, `$1` on PostgreSQL (where a
/// `?` would be sent as is).
fn like(backend: DbBackend, col: &str, pattern: String) -> SimpleExpr {
    let ph = if backend == DbBackend::Postgres { "$1" } else { "?" };
    Expr::cust_with_values(format!("{col} LIKE {ph} ESCAPE '\\'"), [pattern])
}

/// An FTS5 string literal.
fn fts_phrase(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The condition that a document matches `q`, for this database.
fn matches(backend: DbBackend, q: &Query) -> SimpleExpr {
    let all_words = |col: &str| {
        q.words
            .iter()
            .map(|w| like(backend, col, format!("%{}%", like_escape(w))))
            .reduce(|a, b| a.and(b))
            .unwrap_or_else(|| Expr::val(false))
    };
    let by_words = match backend {
        DbBackend::Postgres => {
            // Word prefixes from the full-text index, parts of words from the
            // trigram index: the planner ORs the two bitmap scans.
            // Word prefixes from the full-text index answer queries of plain
            // words; a word with punctuation (part of an e-mail) is matched
            // whole, as on SQLite, by the trigram index alone. A word prefix
            // is always also a part of the text, so both databases find the
            // same records.
            let plain = q.words.iter().all(|w| w.chars().all(char::is_alphanumeric));
            let lexemes: Vec<String> = q.words.iter().map(|w| format!("{w}:*")).collect();
            if !plain || lexemes.is_empty() {
                all_words("terms")
            } else {
                Expr::cust_with_values("tsv @@ to_tsquery('simple', $1)", [lexemes.join(" & ")]).or(all_words("terms"))
            }
        }
        _ => {
            // The trigram tokenizer matches parts of 3 characters or more;
            // shorter words are checked on the rows it found (or, when all
            // are short, by a scan).
            let long: Vec<&String> = q.words.iter().filter(|w| w.chars().count() >= 3).collect();
            if long.is_empty() {
                all_words("terms")
            } else {
                let fts = long.iter().map(|w| fts_phrase(w)).collect::<Vec<_>>().join(" AND ");
                Expr::cust_with_values(
                    "seq IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)",
                    [format!("terms : ({fts})")],
                )
                .and(all_words("terms"))
            }
        }
    };
    match &q.phone {
        None => by_words,
        Some(d) => {
            let by_phone = match backend {
                DbBackend::Postgres => like(backend, "digits", format!("%{d}%")),
                _ => Expr::cust_with_values(
                    "seq IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)",
                    [format!("digits : {}", fts_phrase(d))],
                ),
            };
            by_words.or(by_phone)
        }
    }
}

/// The ranking tier in SQL, so that the rows kept are the best ones.
fn tier(backend: DbBackend, q: &Query) -> SimpleExpr {
    let t = like_escape(&q.text);
    // The same tiers on both databases, so they rank alike.
    let word_start = like(backend, "(' ' || terms)", format!("% {t}%"));
    Expr::case(doc::Column::TitleKey.eq(q.text.clone()), 0)
        .case(like(backend, "title_key", format!("{t}%")), 1)
        .case(like(backend, "title_key", format!("% {t}%")), 2)
        .case(like(backend, "title_key", format!("%{t}%")), 3)
        .case(word_start, 4)
        .finally(5)
        .into()
}

/// The documents of `kind` in `scope` that match `q`, best first.
pub async fn find<C: ConnectionTrait>(
    conn: &C,
    q: &Query,
    kind: RecordType,
    scope: &Scope,
    limit: u64,
) -> Result<Vec<SearchResult>> {
    let backend = conn.get_database_backend();
    let rows = doc::Entity::find()
        .filter(doc::Column::RecordType.eq(type_name(kind)))
        .filter(scope.condition(doc::Column::PartnerId))
        .filter(matches(backend, q))
        .order_by(tier(backend, q), Order::Asc)
        .order_by(Expr::cust("length(title_key)"), Order::Asc)
        .order_by(doc::Column::TitleKey, Order::Asc)
        .order_by(doc::Column::RecordId, Order::Asc)
        .limit(limit)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| SearchResult {
            record: Some(RecordRef { r#type: kind as i32, id: r.record_id.to_string() }),
            score: q.score(&r.title_key, &r.terms, &r.digits),
            title: r.title,
            subtitle: r.subtitle,
        })
        .collect())
}

/// Searches each record type in its scope for `query` (checked here), at
/// most `page_size` results per type (10 when 0, at most 50), best first.
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    scopes: impl IntoIterator<Item = (RecordType, Scope)>,
    query: &str,
    page_size: i32,
) -> Result<Vec<SearchResult>> {
    let q = Query::parse(query)?;
    let limit = match page_size {
        0 => DEFAULT_LIMIT,
        n if n < 0 => return Err(Error::invalid("page_size", "must not be negative")),
        n => std::cmp::Ord::min(n as u64, MAX_LIMIT),
    };
    let mut results = vec![];
    for (kind, scope) in scopes {
        results.extend(find(conn, &q, kind, &scope, limit).await?);
    }
    results.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(results)
}

/// The gRPC `SearchService` of a service: its record types, each with the
/// scope its callers see it in.
pub struct SearchApi {
    db: DatabaseConnection,
    scopes: fn(&Caller) -> Vec<(RecordType, Scope)>,
}

impl SearchApi {
    pub fn new(db: DatabaseConnection, scopes: fn(&Caller) -> Vec<(RecordType, Scope)>) -> Self {
        SearchApi { db, scopes }
    }

    /// The gRPC server, for a service's routes.
    pub fn server(self) -> search_service_server::SearchServiceServer<Self> {
        search_service_server::SearchServiceServer::new(self)
    }
}

#[tonic::async_trait]
impl search_service_server::SearchService for SearchApi {
    #[tracing::instrument(skip_all)]
    async fn search_records(
        &self,
        req: tonic::Request<SearchRecordsRequest>,
    ) -> std::result::Result<tonic::Response<SearchRecordsResponse>, tonic::Status> {
        let caller = Caller::of(&req)?;
        let r = req.get_ref();
        let wanted: Vec<RecordType> = r.types.iter().filter_map(|t| RecordType::try_from(*t).ok()).collect();
        let scopes = (self.scopes)(&caller).into_iter().filter(|(k, _)| wanted.is_empty() || wanted.contains(k));
        let results = search(&self.db, scopes, &r.query, r.page_size).await?;
        Ok(tonic::Response::new(SearchRecordsResponse { results }))
    }
}

/// The `search_documents` table and its indexes; every record service adds
/// it to its migrator.
pub struct SearchMigration;

impl MigrationName for SearchMigration {
    fn name(&self) -> &str {
        "m20261201_000001_kit_search_documents"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SearchMigration {
    async fn up(&self, m: &SchemaManager) -> std::result::Result<(), DbErr> {
        let db = m.get_connection();
        let statements: &[&str] = match db.get_database_backend() {
            DbBackend::Postgres => &[
                // Trusted since PostgreSQL 13: the database owner may create them.
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE EXTENSION IF NOT EXISTS btree_gin",
                "CREATE TABLE search_documents (
                    record_type text NOT NULL,
                    record_id uuid NOT NULL,
                    partner_id uuid NOT NULL,
                    title text NOT NULL,
                    subtitle text NOT NULL,
                    title_key text NOT NULL,
                    terms text NOT NULL,
                    digits text NOT NULL,
                    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED,
                    PRIMARY KEY (record_type, record_id))",
                // Each index leads with the record type and the partner
                // (btree_gin), so a partner's search reads only its own
                // entries instead of filtering every partner's matches.
                "CREATE INDEX search_documents_tsv ON search_documents USING gin (record_type, partner_id, tsv)",
                "CREATE INDEX search_documents_terms_trgm ON search_documents \
                 USING gin (record_type, partner_id, terms gin_trgm_ops)",
                "CREATE INDEX search_documents_digits_trgm ON search_documents \
                 USING gin (record_type, partner_id, digits gin_trgm_ops)",
            ],
            _ => &[
                // `seq` is the FTS5 rowid; it must not change, hence INTEGER PRIMARY KEY.
                "CREATE TABLE search_documents (
                    seq INTEGER PRIMARY KEY,
                    record_type text NOT NULL,
                    record_id uuid_text NOT NULL,
                    partner_id uuid_text NOT NULL,
                    title text NOT NULL,
                    subtitle text NOT NULL,
                    title_key text NOT NULL,
                    terms text NOT NULL,
                    digits text NOT NULL,
                    UNIQUE (record_type, record_id))",
                "CREATE VIRTUAL TABLE search_fts USING fts5(terms, digits, content='search_documents', \
                 content_rowid='seq', tokenize='trigram')",
                "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
                    INSERT INTO search_fts(rowid, terms, digits) VALUES (new.seq, new.terms, new.digits);
                 END",
                "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
                    INSERT INTO search_fts(search_fts, rowid, terms, digits) VALUES ('delete', old.seq, old.terms, old.digits);
                 END",
                "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
                    INSERT INTO search_fts(search_fts, rowid, terms, digits) VALUES ('delete', old.seq, old.terms, old.digits);
                    INSERT INTO search_fts(rowid, terms, digits) VALUES (new.seq, new.terms, new.digits);
                 END",
            ],
        };
        for s in statements {
            db.execute_unprepared(s).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> std::result::Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            db.execute_unprepared("DROP TABLE IF EXISTS search_fts").await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS search_documents").await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Café Müller"), "cafe muller");
        assert_eq!(fold("STRASSE Straße"), "strasse strasse");
        assert_eq!(fold("Søren Łukasz Æbeltoft"), "soren lukasz aebeltoft");
        assert_eq!(fold("ÅNGSTRÖM"), "angstrom");
    }

    #[test]
    fn queries_are_checked_and_folded() {
        assert!(Query::parse(" a ").is_err());
        for bad in ["abc\0d", "ab\u{7}c", "line\nbreak"] {
            let e = Query::parse(bad).unwrap_err();
            assert!(e.to_string().contains("control characters"), "{bad:?}: {e}");
        }
        assert!(Query::parse(&"x".repeat(201)).is_err());
        let q = Query::parse("  Ácme   GmbH ").unwrap();
        assert_eq!(q.text, "acme gmbh");
        assert_eq!(q.words, ["acme", "gmbh"]);
        assert_eq!(q.phone, None);
    }

    #[test]
    fn a_phone_number_in_any_format_is_its_digits() {
        assert_eq!(Query::parse("+1 (555) 010-7788").unwrap().phone.as_deref(), Some("15550107788"));
        assert_eq!(Query::parse("555.0107").unwrap().phone.as_deref(), Some("5550107"));
        assert_eq!(Query::parse("acme 2024").unwrap().phone, None, "words with a number are not a phone");
        assert_eq!(Query::parse("12").unwrap().phone, None);
    }

    #[test]
    fn the_exact_title_ranks_first() {
        let q = Query::parse("acme").unwrap();
        let exact = q.score("acme", "acme", "");
        let prefix = q.score("acme industries", "acme industries", "");
        let word = q.score("the acme company", "the acme company", "");
        let inside = q.score("megacme", "megacme", "");
        let other = q.score("jane doe", "jane doe jane@acme.example", "");
        assert!(
            exact > prefix && prefix > word && word > inside && inside > other,
            "{exact} {prefix} {word} {inside} {other}"
        );
        assert!(exact <= 1.0 && other > 0.0);
    }
}
