//! a3s_flow's [`ExecutionStore`] on PostgreSQL, over the table Flow History browses:
//!
//! ```sql
//! CREATE TABLE flow_executions (
//!   execution_id uuid PRIMARY KEY,
//!   result json NOT NULL,              -- serde_json's text, kept exactly (json, not jsonb)
//!   saved_at timestamptz NOT NULL DEFAULT now()
//! );
//! ```
//!
//! Apply the full schema (summary columns, keyset index, NOTIFY trigger) with
//! `flow-history --db URL init`, or print it for a DBA with `flow-history schema`. This store
//! writes only the three columns above; the server computes the rest.
//!
//! Saves are upserts (`saved_at` = now()); `load` of an unknown id is `None`; `list` gives every
//! id; `delete` of an unknown id is a no-op. Every value is a query parameter; the schema and
//! table names are checked and quoted.
//!
//! TLS: [`PostgresExecutionStore::connect`] uses `NoTls` (fine on loopback or a private
//! network); for `sslmode=require` pass a TLS connector (postgres-native-tls or
//! tokio-postgres-rustls) to [`PostgresExecutionStore::with_client`]'s connection instead.

pub mod seed;

use async_trait::async_trait;
pub use seed::{ExecutionStore, FlowResult, Result, StoreError};
use tokio_postgres::{Client, NoTls};
use uuid::Uuid;

/// The store: one client, one table.
pub struct PostgresExecutionStore {
    client: Client,
    schema: String,
    table: String,
}

/// `"name"`, for names of letters, digits, `_` and `$` (at most 63 bytes, not starting with a digit).
fn quote_identifier(name: &str) -> Result<String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '$');
    if ok {
        Ok(format!("\"{name}\""))
    } else {
        Err(StoreError::InvalidName(name.to_string()))
    }
}

impl PostgresExecutionStore {
    /// Connects to `url` (`postgres://user@host:port/db`; the password from the URL or
    /// PGPASSWORD is not read by tokio-postgres: put it in the URL from a secret) and uses
    /// `public.flow_executions`.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_to(url, "public", "flow_executions").await
    }

    /// Connects and uses `schema.table`.
    pub async fn connect_to(url: &str, schema: &str, table: &str) -> Result<Self> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                eprintln!("a3s-flow-postgres-store: connection ended: {e}");
            }
        });
        Self::with_client(client, schema, table)
    }

    /// Uses a client connected by the caller (with TLS, a pool, …).
    pub fn with_client(client: Client, schema: &str, table: &str) -> Result<Self> {
        let schema = quote_identifier(schema)?;
        Ok(Self { client, table: format!("{schema}.{}", quote_identifier(table)?), schema })
    }

    /// Creates the schema and table if they are missing (the three contract columns only;
    /// `flow-history init` adds the rest, and is safe to run after this).
    pub async fn create_table(&self) -> Result<()> {
        let sql = format!(
            "CREATE SCHEMA IF NOT EXISTS {}; CREATE TABLE IF NOT EXISTS {} (execution_id uuid PRIMARY KEY, result json NOT NULL, saved_at timestamptz NOT NULL DEFAULT now())",
            self.schema, self.table
        );
        self.client.batch_execute(&sql).await?;
        Ok(())
    }
}

#[async_trait]
impl ExecutionStore for PostgresExecutionStore {
    async fn save(&self, result: &FlowResult) -> Result<()> {
        // serde's text, sent as text and cast in the server: `json` keeps it byte for byte.
        let text = serde_json::to_string(result)?;
        let sql = format!(
            "INSERT INTO {} (execution_id, result) VALUES ($1, $2::text::json) \
             ON CONFLICT (execution_id) DO UPDATE SET result = EXCLUDED.result, saved_at = now()",
            self.table
        );
        self.client.execute(&sql, &[&result.execution_id, &text]).await?;
        Ok(())
    }

    async fn load(&self, id: Uuid) -> Result<Option<FlowResult>> {
        let sql = format!("SELECT result::text FROM {} WHERE execution_id = $1", self.table);
        match self.client.query_opt(&sql, &[&id]).await? {
            Some(row) => {
                let text: String = row.get(0);
                Ok(Some(serde_json::from_str(&text)?))
            }
            None => Ok(None),
        }
    }

    async fn list(&self) -> Result<Vec<Uuid>> {
        let sql = format!("SELECT execution_id FROM {} ORDER BY saved_at DESC, execution_id DESC", self.table);
        Ok(self.client.query(&sql, &[]).await?.iter().map(|row| row.get(0)).collect())
    }

    async fn delete(&self, id: Uuid) -> Result<()> {
        let sql = format!("DELETE FROM {} WHERE execution_id = $1", self.table);
        self.client.execute(&sql, &[&id]).await?;
        Ok(())
    }
}
