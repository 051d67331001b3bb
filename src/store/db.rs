//! One way to speak SQL to the workspace database, on SQLite (a local workspace) or on
//! PostgreSQL (a team workspace).
//!
//! The store's changes and reads are written once, against this module, in SQL both engines
//! run: `?N` placeholders, `CAST(… AS BIGINT)` where a sum must stay an integer, and the
//! schema's own `nocase` collation. On PostgreSQL a statement is rewritten before it is
//! prepared: placeholders become `$N`. Statements are written once in a form both engines
//! accept (`ON CONFLICT … DO NOTHING`, case folded with `lower()`/`upper()` on both sides). Values travel as
//! [`Value`]: SQLite's five storage classes, which PostgreSQL's BIGINT, DOUBLE PRECISION,
//! TEXT and BYTEA columns hold exactly.
//!
//! The interface follows rusqlite's (`execute`, `query_row`, `prepare_cached`,
//! `query_map`, `optional`), so the store reads the same on both engines.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use postgres::types::{IsNull, Type as PgType};

/// A connection to either engine.
pub enum Connection {
    /// A local workspace's file.
    Sqlite(rusqlite::Connection),
    /// A team workspace's database.
    Postgres(Box<Pg>),
}

/// A PostgreSQL session with its prepared statements. The client is behind a `RefCell`
/// because reads take `&self`, as they do on SQLite; a statement's rows are fetched whole
/// before any row is handed out, so no borrow outlives a call.
pub struct Pg {
    client: RefCell<postgres::Client>,
    /// How this session logged in, for a second session of the same login.
    login: super::pg::Login,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    in_transaction: Cell<bool>,
}

impl Pg {
    /// Wraps a connected client and the settings it connected with.
    pub fn new(client: postgres::Client, login: super::pg::Login) -> Self {
        Pg {
            client: RefCell::new(client),
            login,
            statements: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
        }
    }

    /// How this session connected (password and TLS included).
    pub fn login(&self) -> &super::pg::Login {
        &self.login
    }

    /// The client itself, for what only PostgreSQL does (notifications, roles).
    pub fn with_client<T>(&self, f: impl FnOnce(&mut postgres::Client) -> T) -> T {
        f(&mut self.client.borrow_mut())
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(found) = self.statements.borrow().get(sql) {
            return Ok(found.clone());
        }
        let prepared = self.client.borrow_mut().prepare(&translate(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }

    fn query(&self, sql: &str, values: &[Value]) -> Result<Vec<postgres::Row>> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        Ok(self.client.borrow_mut().query(&statement, &params)?)
    }

    fn execute(&self, sql: &str, values: &[Value]) -> Result<usize> {
        let statement = self.statement(sql)?;
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let count = self.client.borrow_mut().execute(&statement, &params)?;
        Ok(usize::try_from(count).unwrap_or(usize::MAX))
    }

    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }
}

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("{}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    /// A query that must return a row returned none.
    #[error("the query returned no rows")]
    QueryReturnedNoRows,
    /// A stored value could not become what the code reads it as.
    #[error("column {0} holds {1:?}, which cannot be read here: {2}")]
    FromSqlConversionFailure(usize, Type, Box<dyn std::error::Error + Send + Sync>),
}

fn pg_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}

impl Error {
    /// SQLite's error code, when SQLite failed.
    pub fn sqlite_error_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(error) => error.sqlite_error_code(),
            _ => None,
        }
    }
}

/// Results of database calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The storage class of a value, for conversion errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// No value.
    Null,
    /// A 64-bit integer.
    Integer,
    /// A float.
    Real,
    /// Text.
    Text,
    /// Bytes.
    Blob,
}

/// A value as both engines store it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// What can be bound to a placeholder.
pub trait ToSql {
    /// The value to bind.
    fn to_value(&self) -> Value;
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToSql::to_value)
    }
}

impl ToSql for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToSql for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}

impl ToSql for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToSql for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToSql for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl ToSql for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToSql for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

macro_rules! integer_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_value(&self) -> Value {
                // Sizes and counts never come near i64::MAX; one that did is kept at it.
                Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer_to_sql!(i64, i32, i16, u8, u16, u32, u64, usize);

/// The values bound to a statement's placeholders, in order.
pub trait Params {
    /// The values.
    fn values(&self) -> Vec<Value>;
}

impl Params for &[&dyn ToSql] {
    fn values(&self) -> Vec<Value> {
        self.iter().map(|p| p.to_value()).collect()
    }
}

impl Params for [&dyn ToSql; 0] {
    fn values(&self) -> Vec<Value> {
        Vec::new()
    }
}

impl Params for Vec<Value> {
    fn values(&self) -> Vec<Value> {
        self.clone()
    }
}

macro_rules! array_params {
    ($($n:literal),*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn values(&self) -> Vec<Value> {
                self.iter().map(ToSql::to_value).collect()
            }
        }
        impl<T: ToSql> Params for &[T; $n] {
            fn values(&self) -> Vec<Value> {
                self.iter().map(ToSql::to_value).collect()
            }
        }
    )*};
}
array_params!(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);

/// Placeholder values of mixed types, as `params![a, b, c]`.
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::db::ToSql]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::store::db::ToSql),+] as &[&dyn $crate::store::db::ToSql]
    };
}
pub(crate) use params;

/// A value read from a row, borrowed where the engine allows.
#[derive(Debug)]
pub enum ValueRef<'a> {
    /// NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A float.
    Real(f64),
    /// Text, as bytes (SQLite does not promise UTF-8).
    Text(&'a [u8]),
    /// Bytes.
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    fn kind(&self) -> Type {
        match self {
            ValueRef::Null => Type::Null,
            ValueRef::Integer(_) => Type::Integer,
            ValueRef::Real(_) => Type::Real,
            ValueRef::Text(_) => Type::Text,
            ValueRef::Blob(_) => Type::Blob,
        }
    }
}

/// What a column can be read as.
pub trait FromSql: Sized {
    /// Converts the value in column `index`.
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self>;
}

fn wrong(index: usize, value: &ValueRef<'_>, wanted: &str) -> Error {
    Error::FromSqlConversionFailure(index, value.kind(), format!("expected {wanted}").into())
}

impl FromSql for i64 {
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
        match value {
            ValueRef::Integer(i) => Ok(i),
            other => Err(wrong(index, &other, "an integer")),
        }
    }
}

macro_rules! integer_from_sql {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
                let wide = i64::from_sql(value, index)?;
                <$t>::try_from(wide).map_err(|e| {
                    Error::FromSqlConversionFailure(index, Type::Integer, Box::new(e))
                })
            }
        }
    )*};
}
integer_from_sql!(i32, i16, u8, u16, u32, u64, usize);

impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
        Ok(i64::from_sql(value, index)? != 0)
    }
}

impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
        match value {
            ValueRef::Real(f) => Ok(f),
            ValueRef::Integer(i) => Ok(i as f64),
            other => Err(wrong(index, &other, "a number")),
        }
    }
}

impl FromSql for String {
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
        match value {
            ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
                .map_err(|e| Error::FromSqlConversionFailure(index, Type::Text, Box::new(e))),
            other => Err(wrong(index, &other, "text")),
        }
    }
}

/// An event's time, stored as RFC 3339 text; text that is not one is an error naming it.
impl FromSql for chrono::DateTime<chrono::Utc> {
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
        let text = String::from_sql(value, index)?;
        crate::model::parse_stamp(&text)
            .map_err(|e| Error::FromSqlConversionFailure(index, Type::Text, Box::new(e)))
    }
}

impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
        match value {
            ValueRef::Blob(bytes) | ValueRef::Text(bytes) => Ok(bytes.to_vec()),
            other => Err(wrong(index, &other, "bytes")),
        }
    }
}

impl FromSql for Value {
    fn from_sql(value: ValueRef<'_>, _index: usize) -> Result<Self> {
        Ok(match value {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: ValueRef<'_>, index: usize) -> Result<Self> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_sql(other, index).map(Some),
        }
    }
}

/// How a column is named when read: by position or by name.
pub trait RowIndex {
    /// The column's position in `row`.
    fn position(&self, row: &Row<'_>) -> Result<usize>;
}

impl RowIndex for usize {
    fn position(&self, _row: &Row<'_>) -> Result<usize> {
        Ok(*self)
    }
}

impl RowIndex for &str {
    fn position(&self, row: &Row<'_>) -> Result<usize> {
        let found = match row {
            Row::Sqlite(r) => r.as_ref().column_index(self).ok(),
            Row::Postgres(r) => r.columns().iter().position(|c| c.name() == *self),
        };
        found.ok_or_else(|| {
            Error::FromSqlConversionFailure(0, Type::Null, format!("no column {self}").into())
        })
    }
}

/// One row of a result.
pub enum Row<'a> {
    /// From SQLite.
    Sqlite(&'a rusqlite::Row<'a>),
    /// From PostgreSQL.
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// The value of a column, converted.
    pub fn get<I: RowIndex, T: FromSql>(&self, index: I) -> Result<T> {
        let index = index.position(self)?;
        match self {
            Row::Sqlite(row) => {
                let value = match row.get_ref(index)? {
                    rusqlite::types::ValueRef::Null => ValueRef::Null,
                    rusqlite::types::ValueRef::Integer(i) => ValueRef::Integer(i),
                    rusqlite::types::ValueRef::Real(f) => ValueRef::Real(f),
                    rusqlite::types::ValueRef::Text(t) => ValueRef::Text(t),
                    rusqlite::types::ValueRef::Blob(b) => ValueRef::Blob(b),
                };
                T::from_sql(value, index)
            }
            Row::Postgres(row) => {
                let value = pg_value(row, index)?;
                let borrowed = match &value {
                    Value::Null => ValueRef::Null,
                    Value::Integer(i) => ValueRef::Integer(*i),
                    Value::Real(f) => ValueRef::Real(*f),
                    Value::Text(t) => ValueRef::Text(t.as_bytes()),
                    Value::Blob(b) => ValueRef::Blob(b),
                };
                T::from_sql(borrowed, index)
            }
        }
    }
}

/// A PostgreSQL column as one of SQLite's storage classes.
fn pg_value(row: &postgres::Row, index: usize) -> Result<Value> {
    let Some(column) = row.columns().get(index) else {
        return Err(Error::FromSqlConversionFailure(
            index,
            Type::Null,
            "no such column".into(),
        ));
    };
    let ty = column.type_().clone();
    let value = if ty == PgType::INT8 {
        row.try_get::<_, Option<i64>>(index)?.map(Value::Integer)
    } else if ty == PgType::INT4 {
        row.try_get::<_, Option<i32>>(index)?
            .map(|i| Value::Integer(i.into()))
    } else if ty == PgType::INT2 {
        row.try_get::<_, Option<i16>>(index)?
            .map(|i| Value::Integer(i.into()))
    } else if ty == PgType::BOOL {
        row.try_get::<_, Option<bool>>(index)?
            .map(|b| Value::Integer(b.into()))
    } else if ty == PgType::FLOAT8 {
        row.try_get::<_, Option<f64>>(index)?.map(Value::Real)
    } else if ty == PgType::FLOAT4 {
        row.try_get::<_, Option<f32>>(index)?
            .map(|f| Value::Real(f.into()))
    } else if ty == PgType::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Blob)
    } else if ty == PgType::OID {
        row.try_get::<_, Option<u32>>(index)?
            .map(|i| Value::Integer(i.into()))
    } else {
        row.try_get::<_, Option<String>>(index)?.map(Value::Text)
    };
    Ok(value.unwrap_or(Value::Null))
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &PgType,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let texty = [
            PgType::TEXT,
            PgType::VARCHAR,
            PgType::BPCHAR,
            PgType::NAME,
            PgType::UNKNOWN,
        ];
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => match ty {
                t if *t == PgType::INT8 => i.to_sql(ty, out),
                t if *t == PgType::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                t if *t == PgType::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                t if *t == PgType::BOOL => (*i != 0).to_sql(ty, out),
                t if *t == PgType::FLOAT8 => (*i as f64).to_sql(ty, out),
                t if texty.contains(t) => i.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("an integer cannot be sent as {ty}").into()),
            },
            Value::Real(f) => match ty {
                t if *t == PgType::FLOAT8 => f.to_sql(ty, out),
                t if *t == PgType::FLOAT4 => (*f as f32).to_sql(ty, out),
                t if texty.contains(t) => f.to_string().as_str().to_sql(ty, out),
                _ => Err(format!("a number cannot be sent as {ty}").into()),
            },
            Value::Text(s) => match ty {
                t if *t == PgType::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
                t if *t == PgType::INT4 => s.trim().parse::<i32>()?.to_sql(ty, out),
                t if *t == PgType::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => s.as_str().to_sql(ty, out),
            },
            Value::Blob(b) => match ty {
                t if *t == PgType::BYTEA => b.as_slice().to_sql(ty, out),
                _ => Err(format!("bytes cannot be sent as {ty}").into()),
            },
        }
    }

    fn accepts(_ty: &PgType) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as R};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => R::Null,
            Value::Integer(i) => R::Integer(*i),
            Value::Real(f) => R::Real(*f),
            Value::Text(s) => R::Text(s.as_bytes()),
            Value::Blob(b) => R::Blob(b),
        }))
    }
}

/// Turns "no rows" into `None`.
pub trait OptionalExtension<T> {
    /// `Ok(None)` where the query returned no row.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::QueryReturnedNoRows)
            | Err(Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// A statement ready to run.
pub struct Statement<'c> {
    inner: Inner<'c>,
}

enum Inner<'c> {
    SqliteCached(rusqlite::CachedStatement<'c>),
    Sqlite(rusqlite::Statement<'c>),
    Postgres { pg: &'c Pg, sql: String },
}

impl Statement<'_> {
    /// Runs it; returns the number of rows changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values();
        let bound = rusqlite::params_from_iter(values.iter());
        match &mut self.inner {
            Inner::Postgres { pg, sql } => pg.execute(sql, &values),
            Inner::SqliteCached(s) => Ok(s.execute(bound)?),
            Inner::Sqlite(s) => Ok(s.execute(bound)?),
        }
    }

    /// Runs it and maps every row; the rows are read whole before the first is returned.
    pub fn query_map<P: Params, T, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        params: P,
        mut f: F,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let values = params.values();
        let mapped: Vec<Result<T>> = match &mut self.inner {
            Inner::Postgres { pg, sql } => pg
                .query(sql, &values)?
                .iter()
                .map(|row| f(&Row::Postgres(row)))
                .collect(),
            Inner::SqliteCached(s) => sqlite_map(s, &values, &mut f)?,
            Inner::Sqlite(s) => sqlite_map(s, &values, &mut f)?,
        };
        Ok(mapped.into_iter())
    }

    /// Runs it and maps the first row; [`Error::QueryReturnedNoRows`] when there is none.
    pub fn query_row<P: Params, T, F: FnOnce(&Row<'_>) -> Result<T>>(
        &mut self,
        params: P,
        f: F,
    ) -> Result<T> {
        let values = params.values();
        match &mut self.inner {
            Inner::Postgres { pg, sql } => match pg.query(sql, &values)?.first() {
                Some(row) => f(&Row::Postgres(row)),
                None => Err(Error::QueryReturnedNoRows),
            },
            Inner::SqliteCached(s) => sqlite_first(s, &values, f),
            Inner::Sqlite(s) => sqlite_first(s, &values, f),
        }
    }

    /// Whether it returns any row.
    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        let values = params.values();
        match &mut self.inner {
            Inner::Postgres { pg, sql } => Ok(!pg.query(sql, &values)?.is_empty()),
            Inner::SqliteCached(s) => Ok(s.exists(rusqlite::params_from_iter(values.iter()))?),
            Inner::Sqlite(s) => Ok(s.exists(rusqlite::params_from_iter(values.iter()))?),
        }
    }
}

fn sqlite_map<T, F: FnMut(&Row<'_>) -> Result<T>>(
    statement: &mut rusqlite::Statement<'_>,
    values: &[Value],
    f: &mut F,
) -> Result<Vec<Result<T>>> {
    let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
    let mut out = Vec::new();
    loop {
        match rows.next() {
            Ok(Some(row)) => out.push(f(&Row::Sqlite(row))),
            Ok(None) => break,
            Err(error) => {
                out.push(Err(error.into()));
                break;
            }
        }
    }
    Ok(out)
}

fn sqlite_first<T, F: FnOnce(&Row<'_>) -> Result<T>>(
    statement: &mut rusqlite::Statement<'_>,
    values: &[Value],
    f: F,
) -> Result<T> {
    let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
    match rows.next()? {
        Some(row) => f(&Row::Sqlite(row)),
        None => Err(Error::QueryReturnedNoRows),
    }
}

impl Connection {
    /// The SQLite connection, for what only a local workspace has (its file, PRAGMAs).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Connection::Sqlite(conn) => Some(conn),
            Connection::Postgres(_) => None,
        }
    }

    /// The PostgreSQL session, for what only a team workspace has.
    pub fn postgres(&self) -> Option<&Pg> {
        match self {
            Connection::Sqlite(_) => None,
            Connection::Postgres(pg) => Some(pg),
        }
    }

    /// Runs one statement; returns the number of rows changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Runs statements with no parameters, separated by `;`.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Connection::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Connection::Postgres(pg) => pg.batch(&translate(sql)),
        }
    }

    /// Runs a query and maps its first row.
    pub fn query_row<P: Params, T, F: FnOnce(&Row<'_>) -> Result<T>>(
        &self,
        sql: &str,
        params: P,
        f: F,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Prepares a statement once per connection and reuses it.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        Ok(Statement {
            inner: match self {
                Connection::Sqlite(conn) => Inner::SqliteCached(conn.prepare_cached(sql)?),
                Connection::Postgres(pg) => {
                    pg.statement(sql)?;
                    Inner::Postgres {
                        pg,
                        sql: sql.to_string(),
                    }
                }
            },
        })
    }

    /// Prepares a statement used once.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        match self {
            Connection::Sqlite(conn) => Ok(Statement {
                inner: Inner::Sqlite(conn.prepare(sql)?),
            }),
            Connection::Postgres(_) => self.prepare_cached(sql),
        }
    }

    /// The id the last INSERT gave its row, in this session.
    pub fn last_insert_rowid(&self) -> Result<i64> {
        match self {
            Connection::Sqlite(conn) => Ok(conn.last_insert_rowid()),
            Connection::Postgres(pg) => {
                let rows = pg.query("SELECT lastval()", &[])?;
                match rows.first() {
                    Some(row) => Row::Postgres(row).get(0),
                    None => Err(Error::QueryReturnedNoRows),
                }
            }
        }
    }

    /// Whether no transaction is open.
    pub fn is_autocommit(&self) -> bool {
        match self {
            Connection::Sqlite(conn) => conn.is_autocommit(),
            Connection::Postgres(pg) => !pg.in_transaction.get(),
        }
    }

    /// Opens a transaction that writes: it waits for, then holds, the workspace's one
    /// write lock, so nothing it reads can change before it commits.
    pub fn begin_write(&self) -> Result<()> {
        match self {
            Connection::Sqlite(conn) => Ok(conn.execute_batch("BEGIN IMMEDIATE")?),
            Connection::Postgres(pg) => {
                pg.batch(&format!(
                    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({})",
                    super::pg::chain::WRITE_LOCK
                ))?;
                pg.in_transaction.set(true);
                Ok(())
            }
        }
    }

    /// Opens a transaction that reads one snapshot.
    pub fn begin_read(&self) -> Result<()> {
        match self {
            Connection::Sqlite(conn) => {
                conn.execute_batch("BEGIN DEFERRED")?;
                // The first read fixes the snapshot in WAL mode.
                let started = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()));
                if started.is_err() && !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                Ok(started?)
            }
            Connection::Postgres(pg) => {
                pg.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
                pg.in_transaction.set(true);
                Ok(())
            }
        }
    }

    /// Commits the open transaction.
    pub fn commit(&self) -> Result<()> {
        match self {
            Connection::Sqlite(conn) => Ok(conn.execute_batch("COMMIT")?),
            Connection::Postgres(pg) => {
                let done = pg.batch("COMMIT");
                pg.in_transaction.set(false);
                done
            }
        }
    }

    /// Rolls back the open transaction, if one is open.
    pub fn rollback(&self) -> Result<()> {
        if self.is_autocommit() {
            return Ok(());
        }
        match self {
            Connection::Sqlite(conn) => Ok(conn.execute_batch("ROLLBACK")?),
            Connection::Postgres(pg) => {
                let done = pg.batch("ROLLBACK");
                pg.in_transaction.set(false);
                done
            }
        }
    }
}

/// Rewrites a statement in the SQL both engines run into PostgreSQL's: the `?N` and `?`
/// placeholders become `$N`. Everything else is written once in a form both engines accept
/// (`ON CONFLICT … DO NOTHING`, `lower()` or `upper()` on both sides of a comparison that
/// ignores case), so nothing else changes; string literals, quoted names and comments are
/// copied as they are.
pub fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next_bare = 1;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                // A doubled quote inside is an escaped quote: the literal goes on.
                while let Some(inner) = chars.next() {
                    out.push(inner);
                    if inner == c {
                        if chars.peek() == Some(&c) {
                            out.push(c);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                out.push(c);
                out.push('*');
                chars.next();
                let mut previous = ' ';
                for inner in chars.by_ref() {
                    out.push(inner);
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    out.push_str(&format!("${next_bare}"));
                    next_bare += 1;
                } else {
                    out.push('$');
                    out.push_str(&digits);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_placeholders_are_rewritten_and_never_inside_literals_or_comments() {
        assert_eq!(
            translate("SELECT a FROM t WHERE b = ?1 AND c LIKE ?2 || '%' AND d = '?3 like'"),
            "SELECT a FROM t WHERE b = $1 AND c LIKE $2 || '%' AND d = '?3 like'"
        );
        assert_eq!(
            translate("UPDATE t SET a = ?, b = ?"),
            "UPDATE t SET a = $1, b = $2"
        );
        assert_eq!(
            translate("INSERT INTO t (a) VALUES (?1) ON CONFLICT DO NOTHING RETURNING a"),
            "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING a"
        );
        assert_eq!(
            translate("SELECT 'it''s ?1', \"col?\" FROM t -- why ?2\nWHERE a = ?3"),
            "SELECT 'it''s ?1', \"col?\" FROM t -- why ?2\nWHERE a = $3"
        );
        assert_eq!(
            translate("/* keep ?1 and 'this */ SELECT ? /* and ?2 */ , ?"),
            "/* keep ?1 and 'this */ SELECT $1 /* and ?2 */ , $2"
        );
        assert_eq!(translate("SELECT 1 - -1, a-?1"), "SELECT 1 - -1, a-$1");
    }

    #[test]
    fn sqlite_reads_and_binds_through_the_same_calls() {
        let conn = Connection::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
            .unwrap();
        conn.execute(
            "INSERT INTO t (name, n) VALUES (?1, ?2)",
            params!["a", 3u64],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid().unwrap(), 1);
        conn.execute("INSERT INTO t (name, n) VALUES (?1, NULL)", ["b"])
            .unwrap();
        let rows: Vec<(String, Option<i64>)> = conn
            .prepare_cached("SELECT name, n FROM t ORDER BY id")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get("n")?)))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(rows, [("a".to_string(), Some(3)), ("b".to_string(), None)]);
        let none = conn
            .query_row("SELECT name FROM t WHERE id = ?1", [9], |row| {
                row.get::<_, String>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(none, None);
    }
}
