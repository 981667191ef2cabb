//! quickstart - the Rust SDK's examples in one story, run by `cargo test`
//! against a dev node (tests/e2e/sdk.sh): transfer, create a subnet,
//! register a miner and a validator, add stake, submit weights with
//! commit-reveal, and follow epochs.
//! Usage: cargo run --example quickstart -- ws://HOST:PORT OWNER MINER SUBNET_NAME
use neuromesh::{Client, Result, NMT};
use std::time::Duration;

pub fn story(url: &str, owner: &str, miner: &str, name: &str) -> Result<()> {
    let c = Client::connect(url)?;
    println!("libneuromesh {}, chain {}", neuromesh::version(), c.genesis());
    let epochs = c.epochs()?; // one notification now, one per new epoch
    let now = epochs.rx.recv_timeout(Duration::from_secs(10)).expect("the current epoch");
    println!("ok: epoch now {}", now);
    let before = c.account(miner)?.free;
    c.transfer(owner, miner, 3 * NMT / 2)?;
    assert_eq!(c.account(miner)?.free, before + 3 * NMT / 2);
    println!("ok: transfer 1.5 NMT");

    let args = format!(
        r#"{{"task":"CODE_GEN","name":"{}","emission_weight":0,"min_stake_miner":"1000000000",
            "min_stake_validator":"1000000000","max_neurons":16,"input_schema":"",
            "output_schema":"","eval_spec":""}}"#,
        name
    );
    let r = c.submit(owner, "subnets.create", &args)?;
    let subnet: u16 = r.field("subnets.Created", "id").expect("subnet id").parse().unwrap();
    c.submit(owner, "weights.set_options", &format!(
        r#"{{"subnet":{},"commit_reveal":true,"reveal_delay":1,"rate_limit":0,
            "softmax_temperature":0}}"#, subnet))?;
    println!("ok: subnet {} with commit-reveal", subnet);

    let r = c.register(miner, subnet, "miner", 10 * NMT, "grpc://127.0.0.1:50051")?;
    let uid: u16 = r.field("registry.Registered", "uid").expect("uid").parse().unwrap();
    c.register(owner, subnet, "validator", 100 * NMT, "")?;
    c.stake_add(owner, subnet, 5 * NMT)?;
    println!("ok: miner uid {}, validator registered, stake added", uid);

    let refused = c.weights_submit(owner, subnet, &[(uid, 65535)]).unwrap_err();
    assert_eq!(refused.name, "USE_COMMIT_REVEAL", "{}", refused);
    let (commit, _) = c.weights_commit(owner, subnet, &[(uid, 65535)])?;
    let mut tries = 0;
    loop {
        match c.weights_reveal(owner, &commit) {
            Err(e) if e.name == "REVEAL_TOO_EARLY" && tries < 30 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(500));
            }
            other => {
                other?;
                break;
            }
        }
    }
    println!("ok: weights committed and revealed");

    let note = epochs.rx.recv_timeout(Duration::from_secs(30)).expect("a new epoch");
    println!("ok: a new epoch began {}", &note[..note.len().min(100)]);
    c.unsubscribe(epochs)?;
    println!("quickstart: all steps passed");
    Ok(())
}

#[allow(dead_code)]
fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 5 {
        eprintln!("usage: quickstart ws://HOST:PORT OWNER MINER SUBNET_NAME");
        std::process::exit(2);
    }
    if let Err(e) = story(&a[1], &a[2], &a[3], &a[4]) {
        eprintln!("quickstart: {}", e);
        std::process::exit(1);
    }
}
