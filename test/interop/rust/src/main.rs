//! flow-interop: the a3s_flow `FlowResult` exactly as the Rust engine defines it, used by
//! test/interop/interop.test.ts to check that the Flow History extension reads and writes
//! records the way Rust serde does.
//!
//! Subcommands:
//!   write-cases DIR         write run files as Rust/serde would (plus hand-written accepted
//!                           forms) named `<id>.json`, and `DIR/../cases.json`
//!   check A B [--extra]     deserialize both; exit 0 if equal, else print a diff and exit 1
//!                           (`--extra` also compares unknown top-level fields as Values)
//!   roundtrip FILE OUT      deserialize FILE and write serde_json::to_vec of it to OUT
//!   accepts [--base64]      one candidate document per stdin line (raw, or base64 of the
//!                           bytes); prints `ok` or `err: <serde message>` per line
//!
//! Exit codes: 0 ok/equal, 1 different, 2 usage or I/O or parse error.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::exit;
use uuid::Uuid;

/// Exactly the a3s_flow struct (see shared/reference/FLOW-RESULT.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlowResult {
    pub execution_id: Uuid,
    pub outputs: HashMap<String, Value>,
    pub completed_nodes: HashSet<String>,
    pub skipped_nodes: HashSet<String>,
    #[serde(default)]
    pub context: HashMap<String, Value>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("write-cases") if args.len() == 2 => write_cases(Path::new(&args[1])),
        Some("check") if args.len() == 3 || (args.len() == 4 && args[3] == "--extra") => {
            check(Path::new(&args[1]), Path::new(&args[2]), args.len() == 4)
        }
        Some("roundtrip") if args.len() == 3 => roundtrip(Path::new(&args[1]), Path::new(&args[2])),
        Some("accepts") if args.len() == 1 => accepts(false),
        Some("accepts") if args.len() == 2 && args[1] == "--base64" => accepts(true),
        _ => {
            eprintln!(
                "usage: flow-interop write-cases DIR | check FILE_A FILE_B [--extra] | roundtrip FILE OUT | accepts [--base64]"
            );
            2
        }
    };
    exit(code);
}

fn die(message: String) -> ! {
    eprintln!("flow-interop: {message}");
    exit(2);
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| die(format!("cannot read {}: {e}", path.display())))
}

fn load(path: &Path) -> FlowResult {
    serde_json::from_slice(&read(path))
        .unwrap_or_else(|e| die(format!("{} is not a FlowResult: {e}", path.display())))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes)
        .unwrap_or_else(|e| die(format!("cannot write {}: {e}", path.display())));
}

// ---------------------------------------------------------------------------------------
// write-cases

fn id(n: u8) -> Uuid {
    // Fixed, valid v4 ids so runs are reproducible; n makes them distinct.
    Uuid::parse_str(&format!("6{n:07x}-10b1-426f-9247-bb680e5fe0c8")).unwrap()
}

fn map(entries: Vec<(&str, Value)>) -> HashMap<String, Value> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn set(items: &[&str]) -> HashSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn f(x: f64) -> Value {
    Value::from(x)
}

struct Written {
    file: String,
    id: Uuid,
    name: &'static str,
    handwritten: bool,
    nodes: usize,
    executed: usize,
    skipped: usize,
}

fn write_cases(dir: &Path) -> i32 {
    std::fs::create_dir_all(dir)
        .unwrap_or_else(|e| die(format!("cannot create {}: {e}", dir.display())));
    let mut written: Vec<Written> = Vec::new();
    let mut emit = |name: &'static str, id: Uuid, bytes: Vec<u8>, handwritten: bool| {
        // Every file must be a FlowResult serde accepts, with the id it is named by.
        let back: FlowResult = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| die(format!("case {name} is invalid: {e}")));
        assert_eq!(back.execution_id, id, "case {name}");
        let file = format!("{}.json", id.hyphenated());
        write(&dir.join(&file), &bytes);
        written.push(Written {
            file,
            id,
            name,
            handwritten,
            nodes: back.completed_nodes.union(&back.skipped_nodes).count(),
            executed: back.completed_nodes.difference(&back.skipped_nodes).count(),
            skipped: back.skipped_nodes.len(),
        });
    };

    // 1. Numbers serde writes that JavaScript's JSON.parse would damage.
    let numbers = FlowResult {
        execution_id: id(1),
        outputs: map(vec![
            (
                "ints",
                serde_json::json!({
                    "u64_max": u64::MAX,
                    "two53_plus_1": 9007199254740993u64,
                    "two53": 9007199254740992u64,
                    "two53_minus_1": 9007199254740991u64,
                    "i64_min": i64::MIN,
                    "i64_max": i64::MAX,
                    "neg_beyond_2_53": -9007199254740993i64,
                    "zero": 0,
                    "nanos": 1700000000123456789u64,
                    "hash": 14695981039346656037u64
                }),
            ),
            (
                "floats",
                serde_json::json!({
                    "one": f(1.0),
                    "tenth": f(0.1),
                    "tiny": f(1e-7),
                    "huge": f(2.5e300),
                    "neg_zero": f(-0.0),
                    "point3": f(0.1 + 0.2),
                    "min_subnormal": f(5e-324),
                    "max": f(f64::MAX),
                    "min_positive": f(f64::MIN_POSITIVE),
                    "e16": f(1e16),
                    "e21": f(1e21),
                    "neg": f(-1.5),
                    "big_int_float": f(9007199254740993.0),
                    "pi": f(std::f64::consts::PI),
                    "third": f(1.0 / 3.0)
                }),
            ),
            (
                "list",
                serde_json::json!([
                    u64::MAX,
                    i64::MIN,
                    f(1.0),
                    f(-0.0),
                    f(0.1),
                    18446744073709551614u64
                ]),
            ),
            ("scalar_u64", Value::from(u64::MAX)),
            ("scalar_float", f(1.0)),
        ]),
        completed_nodes: set(&["ints", "floats", "list", "scalar_u64", "scalar_float"]),
        skipped_nodes: set(&[]),
        context: map(vec![
            ("started_ns", Value::from(1700000000123456789u64)),
            ("ratio", f(1e-7)),
            ("min", Value::from(i64::MIN)),
            ("neg_zero", f(-0.0)),
        ]),
    };
    emit(
        "numbers",
        numbers.execution_id,
        serde_json::to_vec(&numbers).unwrap(),
        false,
    );
    let mut numbers_pretty = numbers.clone();
    numbers_pretty.execution_id = id(2);
    emit(
        "numbers-pretty",
        numbers_pretty.execution_id,
        serde_json::to_vec_pretty(&numbers_pretty).unwrap(),
        false,
    );

    // 2. Unicode and escapes.
    let unicode = FlowResult {
        execution_id: id(3),
        outputs: map(vec![
            (
                "greet",
                serde_json::json!({
                    "emoji": "🚀 👩‍👩‍👧 🇯🇵 🏳️‍🌈",
                    "rtl": "مرحبا بالعالم — שלום עולם",
                    "cjk": "你好世界・こんにちは・안녕하세요",
                    "combining": "e\u{301} n\u{303} \u{1F44D}\u{1F3FD}",
                    "control": "nul\u{0}soh\u{1}us\u{1f}tab\tnl\ncr\rbs\u{8}ff\u{c}del\u{7f}",
                    "quotes": "say \"hi\" 'there' \\ back\\slash / slash",
                    "html": "</script><!-- & -->",
                    "separators": "line\u{2028}para\u{2029}end",
                    "bom_inside": "\u{feff}bom",
                    "max_bmp": "\u{ffff}\u{fffe}",
                    "astral": "\u{10ffff}\u{1d11e}"
                }),
            ),
            ("节点-1", serde_json::json!(["CJK node id", "значение"])),
            ("🚀", serde_json::json!({"ключ \"quoted\"\n": "value"})),
            ("quote\"node\\", Value::Null),
        ]),
        completed_nodes: set(&["greet", "节点-1", "🚀", "quote\"node\\"]),
        skipped_nodes: set(&["quote\"node\\"]),
        context: map(vec![
            ("locale", Value::from("ar-EG")),
            ("名前", Value::from("テスト\u{0}\u{1}")),
        ]),
    };
    emit(
        "unicode",
        unicode.execution_id,
        serde_json::to_vec_pretty(&unicode).unwrap(),
        false,
    );
    let mut unicode_compact = unicode.clone();
    unicode_compact.execution_id = id(4);
    emit(
        "unicode-compact",
        unicode_compact.execution_id,
        serde_json::to_vec(&unicode_compact).unwrap(),
        false,
    );

    // 3. Nesting, skipped nodes (null), an executed node that produced null, empty values.
    let mut deep = serde_json::json!({"leaf": [1, 2.5, "x", null, true, false, {}, []]});
    for i in 0..40 {
        deep = if i % 2 == 0 {
            serde_json::json!([deep, i])
        } else {
            serde_json::json!({ "level": i, "next": deep })
        };
    }
    let nested = FlowResult {
        execution_id: id(5),
        outputs: map(vec![
            (
                "fetch",
                serde_json::json!({"status": 200, "items": [1, 2, {"id": u64::MAX, "tags": ["a", "b"]}], "headers": {}}),
            ),
            ("deep", deep),
            ("notify", Value::Null),
            ("audit", Value::Null),
            ("returns_null", Value::Null),
            ("empty_obj", serde_json::json!({})),
            ("empty_arr", serde_json::json!([])),
            ("empty_str", Value::from("")),
            ("bools", serde_json::json!([true, false])),
        ]),
        completed_nodes: set(&[
            "fetch",
            "deep",
            "notify",
            "audit",
            "returns_null",
            "empty_obj",
            "empty_arr",
            "empty_str",
            "bools",
        ]),
        skipped_nodes: set(&["notify", "audit"]),
        context: map(vec![
            ("tenant", Value::from("acme")),
            ("nested", serde_json::json!({"a": {"b": {"c": [[[]]]}}})),
            ("nothing", Value::Null),
        ]),
    };
    emit(
        "nested",
        nested.execution_id,
        serde_json::to_vec_pretty(&nested).unwrap(),
        false,
    );

    // 4. Everything empty.
    let empty = FlowResult {
        execution_id: id(6),
        outputs: HashMap::new(),
        completed_nodes: HashSet::new(),
        skipped_nodes: HashSet::new(),
        context: HashMap::new(),
    };
    emit(
        "empty",
        empty.execution_id,
        serde_json::to_vec(&empty).unwrap(),
        false,
    );
    let mut empty_pretty = empty.clone();
    empty_pretty.execution_id = id(7);
    emit(
        "empty-pretty",
        empty_pretty.execution_id,
        serde_json::to_vec_pretty(&empty_pretty).unwrap(),
        false,
    );

    // 5. Many nodes (HashMap order is random per process: arbitrary key order).
    let mut many = FlowResult {
        execution_id: id(8),
        outputs: HashMap::new(),
        completed_nodes: HashSet::new(),
        skipped_nodes: HashSet::new(),
        context: HashMap::new(),
    };
    for i in 0..300u64 {
        let node = format!("node-{i:03}");
        if i % 7 == 3 {
            many.outputs.insert(node.clone(), Value::Null);
            many.skipped_nodes.insert(node.clone());
        } else {
            let v = serde_json::json!({"i": i, "ns": 1700000000000000000u64 + i * 1_000_003, "ratio": (i as f64) / 7.0, "ok": i % 2 == 0});
            many.outputs.insert(node.clone(), v);
        }
        many.completed_nodes.insert(node);
    }
    many.context.insert("count".into(), Value::from(300));
    emit(
        "many-nodes",
        many.execution_id,
        serde_json::to_vec(&many).unwrap(),
        false,
    );

    // 6. Unknown extra top-level fields (serde ignores them; the extension keeps them).
    let extra_base = FlowResult {
        execution_id: id(9),
        outputs: map(vec![("a", Value::from(u64::MAX)), ("b", Value::Null)]),
        completed_nodes: set(&["a", "b"]),
        skipped_nodes: set(&["b"]),
        context: map(vec![("k", f(0.1))]),
    };
    let mut extra = match serde_json::to_value(&extra_base).unwrap() {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    extra.insert("engine_version".into(), Value::from("0.3.1"));
    extra.insert(
        "meta".into(),
        serde_json::json!({"big": u64::MAX, "f": f(1.0), "neg_zero": f(-0.0), "min": i64::MIN, "s": "ünï\u{1}"}),
    );
    extra.insert("started_at_ns".into(), Value::from(1700000000123456789u64));
    extra.insert("zz_null".into(), Value::Null);
    emit(
        "extra-fields",
        id(9),
        serde_json::to_vec(&Value::Object(extra)).unwrap(),
        false,
    );

    // Hand-written forms serde accepts but would not write itself.
    let hand = |idtext: &str, rest: &str| -> Vec<u8> {
        format!("{{\"execution_id\":\"{idtext}\",{rest}}}").into_bytes()
    };
    let body = r#""outputs":{"fetch":{"status":200,"n":18446744073709551615},"notify":null},"completed_nodes":["fetch","notify"],"skipped_nodes":["notify"],"context":{"tenant":"acme","t":1.0}"#;

    // 7. No `context` (older results): read as {}.
    let id10 = id(10);
    emit(
        "no-context",
        id10,
        format!(
            "{{\"execution_id\":\"{}\",\"outputs\":{{\"a\":1.0,\"b\":9007199254740993}},\"completed_nodes\":[\"a\",\"b\"],\"skipped_nodes\":[]}}",
            id10.hyphenated()
        )
        .into_bytes(),
        true,
    );

    // 8-12. execution_id forms.
    let id11 = id(11);
    emit(
        "id-simple",
        id11,
        hand(&id11.simple().to_string(), body),
        true,
    );
    let id12 = id(12);
    emit(
        "id-braced",
        id12,
        hand(&id12.braced().to_string(), body),
        true,
    );
    let id13 = id(13);
    emit("id-urn", id13, hand(&id13.urn().to_string(), body), true);
    let id14 = id(14);
    emit(
        "id-uppercase",
        id14,
        hand(&id14.hyphenated().to_string().to_uppercase(), body),
        true,
    );
    let id15 = id(15);
    emit(
        "id-braced-uppercase",
        id15,
        hand(&id15.braced().to_string().to_uppercase(), body),
        true,
    );
    let id16 = id(16);
    emit(
        "id-simple-uppercase",
        id16,
        hand(&id16.simple().to_string().to_uppercase(), body),
        true,
    );
    let id17 = id(17);
    emit(
        "id-urn-uppercase-hex",
        id17,
        hand(
            &format!("urn:uuid:{}", id17.hyphenated().to_string().to_uppercase()),
            body,
        ),
        true,
    );

    // 13. Duplicates in completed_nodes / skipped_nodes (collapse to one).
    let id18 = id(18);
    emit(
        "duplicate-nodes",
        id18,
        hand(
            &id18.hyphenated().to_string(),
            r#""outputs":{"a":1,"b":null},"completed_nodes":["a","b","a","b","a"],"skipped_nodes":["b","b"],"context":{}"#,
        ),
        true,
    );

    // 14. Escapes, odd whitespace and number spellings serde reads (written by hand).
    let id19 = id(19);
    emit(
        "escapes-and-spellings",
        id19,
        format!(
            "\r\n\t {{ \"execution_id\" :\t\"{}\" ,\r\n \"outputs\" : {{ \"e\\u0301\" : \"caf\\u00e9 \\ud83d\\ude80 \\/ \\b\\f\\n\\r\\t \\u0000 \\\"\" , \"nums\" : [1E5, 1e+5, 1.5E-3, -0, 0.0e0, 100000000000000000000, -9223372036854775809, 123456789012345678901234567890, 0.1000000000000000055511151231257827, 1e-400, 4.9e-324] }} , \"completed_nodes\" : [ \"e\\u0301\" , \"nums\" ] , \"skipped_nodes\" : [ ] , \"context\" : {{ \"\\u006b\" : -1.0e0 }} }} \n",
            id19.hyphenated()
        )
        .into_bytes(),
        true,
    );

    // 15. The array form of the struct (serde's derived Deserialize accepts it), with and
    //     without the trailing `context`.
    let id20 = id(20);
    emit(
        "array-form-5",
        id20,
        format!(
            r#"["{}",{{"x":18446744073709551615,"y":null}},["x","y"],["y"],{{"c":1.0}}]"#,
            id20.hyphenated()
        )
        .into_bytes(),
        true,
    );
    let id21 = id(21);
    emit(
        "array-form-4",
        id21,
        format!(r#"["{}",{{"x":-0.0}},["x"],[]]"#, id21.hyphenated()).into_bytes(),
        true,
    );

    // 16. Fields in a different order, unknown fields between them, an escaped field name.
    let id22 = id(22);
    emit(
        "reordered-fields",
        id22,
        format!(
            r#"{{"context":{{"z":2}},"x-unknown":[1,{{"deep":[2.0]}}],"skipped_nodes":[],"completed_nodes":["n"],"outputs":{{"n":{{"v":12345678901234567890}}}},"execution\u005fid":"{}"}}"#,
            id22.hyphenated()
        )
        .into_bytes(),
        true,
    );

    // 17. Nesting exactly at serde_json's limit for a value inside outputs.
    let id23 = id(23);
    let depth = MAX_OUTPUT_VALUE_DEPTH;
    emit(
        "max-depth",
        id23,
        format!(
            r#"{{"execution_id":"{}","outputs":{{"deep":{}1{}}},"completed_nodes":["deep"],"skipped_nodes":[]}}"#,
            id23.hyphenated(),
            "[".repeat(depth),
            "]".repeat(depth)
        )
        .into_bytes(),
        true,
    );

    let cases: Vec<Value> = written
        .iter()
        .map(|w| {
            serde_json::json!({
                "file": w.file,
                "id": w.id.hyphenated().to_string(),
                "name": w.name,
                "handwritten": w.handwritten,
                "nodes": w.nodes,
                "executed": w.executed,
                "skipped": w.skipped
            })
        })
        .collect();
    let parent: PathBuf = dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    write(
        &parent.join("cases.json"),
        &serde_json::to_vec_pretty(&cases).unwrap(),
    );
    println!("wrote {} cases to {}", cases.len(), dir.display());
    0
}

/// Arrays nested inside one `outputs` value that serde_json still reads: the record's
/// object and the outputs map take 2 of the 127 levels its limit of 128 allows.
const MAX_OUTPUT_VALUE_DEPTH: usize = 125;

// ---------------------------------------------------------------------------------------
// check

fn check(a_path: &Path, b_path: &Path, extra: bool) -> i32 {
    let a = load(a_path);
    let b = load(b_path);
    let mut diffs: Vec<String> = Vec::new();
    if a.execution_id != b.execution_id {
        diffs.push(format!(
            "execution_id: {} != {}",
            a.execution_id, b.execution_id
        ));
    }
    diff_set(
        "completed_nodes",
        &a.completed_nodes,
        &b.completed_nodes,
        &mut diffs,
    );
    diff_set(
        "skipped_nodes",
        &a.skipped_nodes,
        &b.skipped_nodes,
        &mut diffs,
    );
    diff_map("outputs", &a.outputs, &b.outputs, &mut diffs);
    diff_map("context", &a.context, &b.context, &mut diffs);
    if extra {
        let ea = unknown_fields(a_path);
        let eb = unknown_fields(b_path);
        let ha: HashMap<String, Value> = ea.into_iter().collect();
        let hb: HashMap<String, Value> = eb.into_iter().collect();
        diff_map("<unknown top-level fields>", &ha, &hb, &mut diffs);
    }
    if diffs.is_empty() {
        println!("equal");
        0
    } else {
        println!("{} and {} differ:", a_path.display(), b_path.display());
        for d in &diffs {
            println!("  {d}");
        }
        1
    }
}

/// Top-level fields other than the five known ones, as serde_json Values.
fn unknown_fields(path: &Path) -> Map<String, Value> {
    let value: Value = serde_json::from_slice(&read(path))
        .unwrap_or_else(|e| die(format!("{}: {e}", path.display())));
    match value {
        Value::Object(mut m) => {
            for k in [
                "execution_id",
                "outputs",
                "completed_nodes",
                "skipped_nodes",
                "context",
            ] {
                m.remove(k);
            }
            m
        }
        _ => Map::new(),
    }
}

fn diff_set(name: &str, a: &HashSet<String>, b: &HashSet<String>, diffs: &mut Vec<String>) {
    let only_a: BTreeSet<&String> = a.difference(b).collect();
    let only_b: BTreeSet<&String> = b.difference(a).collect();
    if !only_a.is_empty() || !only_b.is_empty() {
        diffs.push(format!(
            "{name}: only in A {:?}, only in B {:?}",
            only_a, only_b
        ));
    }
}

fn diff_map(
    name: &str,
    a: &HashMap<String, Value>,
    b: &HashMap<String, Value>,
    diffs: &mut Vec<String>,
) {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for k in keys {
        let path = format!("{name}[{}]", serde_json::to_string(k).unwrap());
        match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) => diff_value(&path, x, y, diffs),
            (Some(x), None) => diffs.push(format!("{path}: only in A ({})", show(x))),
            (None, Some(y)) => diffs.push(format!("{path}: only in B ({})", show(y))),
            (None, None) => unreachable!(),
        }
    }
}

fn show(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

fn kind(n: &serde_json::Number) -> &'static str {
    if n.is_u64() {
        "u64"
    } else if n.is_i64() {
        "i64"
    } else {
        "f64"
    }
}

/// serde_json::Value equality, except that floats compare by bits (so -0.0 != 0.0), and
/// the first difference is reported with its path.
fn diff_value(path: &str, a: &Value, b: &Value, diffs: &mut Vec<String>) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let same = match (x.as_f64(), kind(x), kind(y)) {
                (_, "f64", "f64") => x.as_f64().unwrap().to_bits() == y.as_f64().unwrap().to_bits(),
                _ => x == y,
            };
            if !same {
                diffs.push(format!("{path}: {} {x} != {} {y}", kind(x), kind(y)));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                diffs.push(format!(
                    "{path}: array length {} != {} ({} vs {})",
                    x.len(),
                    y.len(),
                    show(a),
                    show(b)
                ));
                return;
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff_value(&format!("{path}[{i}]"), p, q, diffs);
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let p = format!("{path}[{}]", serde_json::to_string(k).unwrap());
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) => diff_value(&p, v, w, diffs),
                    (Some(v), None) => diffs.push(format!("{p}: only in A ({})", show(v))),
                    (None, Some(w)) => diffs.push(format!("{p}: only in B ({})", show(w))),
                    (None, None) => unreachable!(),
                }
            }
        }
        _ => {
            if a != b {
                diffs.push(format!("{path}: {} != {}", show(a), show(b)));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// roundtrip

fn roundtrip(input: &Path, output: &Path) -> i32 {
    let result = load(input);
    write(output, &serde_json::to_vec(&result).unwrap());
    0
}

// ---------------------------------------------------------------------------------------
// accepts

fn accepts(base64: bool) -> i32 {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in stdin.lock().split(b'\n') {
        let mut line = line.unwrap_or_else(|e| die(format!("cannot read stdin: {e}")));
        let doc = if base64 {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            decode_base64(&line).unwrap_or_else(|e| die(format!("bad base64 line: {e}")))
        } else {
            line
        };
        let verdict = match serde_json::from_slice::<FlowResult>(&doc) {
            Ok(_) => "ok".to_string(),
            Err(e) => format!(
                "err: {}",
                e.to_string().replace('\n', "\\n").replace('\r', "\\r")
            ),
        };
        writeln!(out, "{verdict}").unwrap();
    }
    0
}

fn decode_base64(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return Err(format!("invalid base64 byte {c:#x}")),
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}
