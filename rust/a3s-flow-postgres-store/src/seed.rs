//! The seed's types, as a3s_flow defines them (shared/reference: a3s_flow store.rs and
//! result.rs), so this crate builds on its own. In a3s_flow itself, use `crate::result::
//! FlowResult`, `crate::store::ExecutionStore` and `crate::error::Result` instead.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A completed run, exactly as a3s_flow serialises it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowResult {
    pub execution_id: Uuid,
    pub outputs: HashMap<String, Value>,
    pub completed_nodes: HashSet<String>,
    pub skipped_nodes: HashSet<String>,
    #[serde(default)]
    pub context: HashMap<String, Value>,
}

/// What a store operation can fail with.
#[derive(Debug)]
pub enum StoreError {
    /// The database refused or could not be reached.
    Database(tokio_postgres::Error),
    /// A stored record is not a FlowResult.
    Serde(serde_json::Error),
    /// A configured schema or table name that could become SQL.
    InvalidName(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Database(e) => write!(f, "database: {e}"),
            StoreError::Serde(e) => write!(f, "not a FlowResult: {e}"),
            StoreError::InvalidName(name) => write!(f, "{name:?} cannot be a schema or table name"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Database(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Serde(e)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Persistence layer for completed flow execution results (the seed's trait, verbatim).
#[async_trait]
pub trait ExecutionStore: Send + Sync {
    /// Persist a completed execution result, keyed by `result.execution_id`.
    async fn save(&self, result: &FlowResult) -> Result<()>;
    /// Load a previously saved result by execution ID; `None` if there is none.
    async fn load(&self, id: Uuid) -> Result<Option<FlowResult>>;
    /// List all stored execution IDs.
    async fn list(&self) -> Result<Vec<Uuid>>;
    /// Delete a stored result. No-op if the ID is not found.
    async fn delete(&self, id: Uuid) -> Result<()>;
}
