//! flow-pg-store: drives the reference store from the command line, for Flow History's
//! interop test (test/interop/postgres.test.ts) and for trying it by hand.
//!
//!   flow-pg-store contract URL SCHEMA     the seed's five store tests on SCHEMA.flow_executions
//!   flow-pg-store save URL FILE...        create the table if missing, then deserialize each
//!                                         FlowResult file and save it
//!   flow-pg-store load URL ID OUT         load ID and write serde_json::to_vec of it to OUT
//!                                         (exit 3 when there is no such run)
//!   flow-pg-store list URL                print every id, one a line
//!   flow-pg-store delete URL ID           delete ID (no-op when unknown)
//!
//! Exit codes: 0 ok, 1 a check failed, 2 usage or I/O or store error, 3 not found.

use a3s_flow_postgres_store::{ExecutionStore, FlowResult, PostgresExecutionStore};
use std::collections::{HashMap, HashSet};
use std::process::exit;
use uuid::Uuid;

fn die(message: String) -> ! {
    eprintln!("flow-pg-store: {message}");
    exit(2);
}

fn parse_id(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap_or_else(|e| die(format!("{text:?} is not a UUID: {e}")))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || die("usage: flow-pg-store contract URL SCHEMA | save URL FILE... | load URL ID OUT | list URL | delete URL ID".into());
    if args.len() < 2 {
        usage();
    }
    let url = &args[1];
    let code = match args[0].as_str() {
        "contract" if args.len() == 3 => contract(url, &args[2]).await,
        "save" if args.len() >= 3 => {
            let store = open(url).await;
            store.create_table().await.unwrap_or_else(|e| die(format!("create table: {e}")));
            for file in &args[2..] {
                let bytes = std::fs::read(file).unwrap_or_else(|e| die(format!("cannot read {file}: {e}")));
                let result: FlowResult = serde_json::from_slice(&bytes).unwrap_or_else(|e| die(format!("{file} is not a FlowResult: {e}")));
                store.save(&result).await.unwrap_or_else(|e| die(format!("save {file}: {e}")));
                println!("{}", result.execution_id);
            }
            0
        }
        "load" if args.len() == 4 => {
            let store = open(url).await;
            match store.load(parse_id(&args[2])).await.unwrap_or_else(|e| die(format!("load: {e}"))) {
                Some(result) => {
                    let bytes = serde_json::to_vec(&result).unwrap_or_else(|e| die(format!("serialize: {e}")));
                    std::fs::write(&args[3], bytes).unwrap_or_else(|e| die(format!("cannot write {}: {e}", args[3])));
                    0
                }
                None => 3,
            }
        }
        "list" if args.len() == 2 => {
            let store = open(url).await;
            for id in store.list().await.unwrap_or_else(|e| die(format!("list: {e}"))) {
                println!("{id}");
            }
            0
        }
        "delete" if args.len() == 3 => {
            let store = open(url).await;
            store.delete(parse_id(&args[2])).await.unwrap_or_else(|e| die(format!("delete: {e}")));
            0
        }
        _ => usage(),
    };
    exit(code);
}

async fn open(url: &str) -> PostgresExecutionStore {
    PostgresExecutionStore::connect(url).await.unwrap_or_else(|e| die(format!("cannot connect: {e}")))
}

async fn clear(store: &PostgresExecutionStore) {
    for id in store.list().await.unwrap() {
        store.delete(id).await.unwrap();
    }
}

fn make_result() -> FlowResult {
    FlowResult {
        execution_id: Uuid::new_v4(),
        outputs: HashMap::new(),
        completed_nodes: HashSet::new(),
        skipped_nodes: HashSet::new(),
        context: HashMap::new(),
    }
}

/// The seed's five tests (a3s_flow store.rs), each on an empty table.
async fn contract(url: &str, schema: &str) -> i32 {
    let store = PostgresExecutionStore::connect_to(url, schema, "flow_executions").await.unwrap_or_else(|e| die(format!("cannot connect: {e}")));
    store.create_table().await.unwrap_or_else(|e| die(format!("create table: {e}")));
    let mut failed = 0;
    let mut check = |name: &str, ok: bool| {
        println!("{} {name}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed += 1;
        }
    };
    clear(&store).await;
    let r = make_result();
    store.save(&r).await.unwrap();
    let loaded = store.load(r.execution_id).await.unwrap();
    check("save_and_load_round_trip", loaded.map(|l| l.execution_id) == Some(r.execution_id));

    clear(&store).await;
    check("load_unknown_id_returns_none", store.load(Uuid::new_v4()).await.unwrap().is_none());

    clear(&store).await;
    let (r1, r2) = (make_result(), make_result());
    store.save(&r1).await.unwrap();
    store.save(&r2).await.unwrap();
    let ids = store.list().await.unwrap();
    check("list_returns_all_saved_ids", ids.len() == 2 && ids.contains(&r1.execution_id) && ids.contains(&r2.execution_id));

    clear(&store).await;
    let r = make_result();
    store.save(&r).await.unwrap();
    store.delete(r.execution_id).await.unwrap();
    check("delete_removes_entry", store.load(r.execution_id).await.unwrap().is_none() && store.list().await.unwrap().is_empty());
    store.delete(Uuid::new_v4()).await.unwrap();

    clear(&store).await;
    let r = make_result();
    store.save(&r).await.unwrap();
    let mut r2 = r.clone();
    r2.outputs.insert("x".into(), serde_json::json!(42));
    store.save(&r2).await.unwrap();
    let loaded = store.load(r.execution_id).await.unwrap().unwrap();
    check("save_overwrites_existing_entry", loaded.outputs.get("x") == Some(&serde_json::json!(42)) && store.list().await.unwrap().len() == 1);

    if failed == 0 {
        0
    } else {
        1
    }
}
