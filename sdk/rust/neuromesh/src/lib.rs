//! neuromesh - a safe, typed NeuroMesh client over libneuromesh (sdk/c).
//! Amounts are u64 base units (1 NMT = [`NMT`]); JSON goes in and out as
//! text (std only: parse it with the JSON crate of your choice).
//!
//! ```no_run
//! let c = neuromesh::Client::connect("ws://127.0.0.1:9944").unwrap();
//! c.transfer("alice", "bob", 3 * neuromesh::NMT / 2).unwrap();
//! ```
use neuromesh_sys as sys;
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;

/// Base units in one NMT.
pub const NMT: u64 = 1_000_000_000;

/// A failure: its JSON-RPC error code (docs/rpc.md), its name
/// (`INSUFFICIENT_BALANCE`, `REVEAL_TOO_EARLY`, ...; compare by name) and a
/// message naming what failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: i32,
    pub name: String,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.name)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn text(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

fn cstring(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error {
        code: -32602,
        name: "INVAL".into(),
        message: format!("{:?} contains a NUL byte", s),
    })
}

fn check(rc: i32, err: &[c_char]) -> Result<()> {
    if rc == 0 {
        return Ok(());
    }
    Err(Error {
        code: unsafe { sys::neuromesh_rpc_code(rc) },
        name: text(unsafe { sys::neuromesh_errname(rc) }),
        message: text(err.as_ptr()),
    })
}

/// The version of libneuromesh linked.
pub fn version() -> String {
    text(unsafe { sys::neuromesh_version() })
}

/// A call's bytes (pallet byte, call byte, arguments) from its JSON view.
pub fn encode_call(call: &str, args_json: &str) -> Result<Vec<u8>> {
    let (call, args) = (cstring(call)?, cstring(args_json)?);
    let mut out = vec![0u8; 512 * 1024];
    let mut len = 0usize;
    let mut err = [0 as c_char; 512];
    let rc = unsafe {
        sys::neuromesh_call_encode(call.as_ptr(), args.as_ptr(), out.as_mut_ptr(), out.len(),
                                   &mut len, err.as_mut_ptr(), err.len())
    };
    check(rc, &err)?;
    out.truncate(len);
    Ok(out)
}

/// An account's balance, nonce and stake (base units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub address: String,
    pub free: u64,
    pub nonce: u64,
    pub staked: u64,
}

/// Where an extrinsic landed and what it left.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub extrinsic: String,
    pub block_hash: String,
    pub height: u64,
    pub index: i32,
    /// Its events as a JSON array.
    pub events_json: String,
    fields: Vec<(String, String, String)>,
}

impl Receipt {
    /// A field of the first event called `event` ("registry.Registered", "uid").
    pub fn field(&self, event: &str, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(e, f, _)| e == event && f == field)
            .map(|(_, _, v)| v.as_str())
    }
}

/// A weights commit: keep it to reveal the same weights with its salt.
#[derive(Debug, Clone)]
pub struct Commit {
    pub subnet: u16,
    pub pairs: Vec<(u16, u16)>,
    pub salt: [u8; 32],
}

/// A subscription: notifications arrive on `rx` as JSON text.
pub struct Subscription {
    pub id: String,
    pub rx: Receiver<String>,
    unsubscribe: String,
}

type Sink = Mutex<Sender<String>>;

extern "C" fn on_notify(ud: *mut c_void, json: *const c_char) {
    let sink = unsafe { &*(ud as *const Sink) };
    if let Ok(tx) = sink.lock() {
        let _ = tx.send(text(json));
    }
}

/// A connection to a node. Calls block; notifications come on channels.
pub struct Client {
    raw: *mut sys::neuromesh_client,
    sinks: Mutex<Vec<Box<Sink>>>, // kept until close: the C thread may still call them
}

// The C client serialises calls from any one thread at a time; the Mutex-free
// API below takes &self, so allow sending but not sharing.
unsafe impl Send for Client {}

/// Event fields a receipt exposes through `Receipt::field`.
const RECEIPT_FIELDS: &[(&str, &str)] = &[
    ("subnets.Created", "id"),
    ("registry.Registered", "uid"),
    ("registry.Registered", "subnet"),
];

impl Client {
    /// Connects with no default signer: pass one to each call.
    pub fn connect(url: &str) -> Result<Client> {
        Self::connect_with(url, None, None)
    }

    /// Connects; `signer` is the default signer, `password_file` unlocks a
    /// keystore key (dev names need neither on a dev chain).
    pub fn connect_with(url: &str, signer: Option<&str>, password_file: Option<&str>)
                        -> Result<Client> {
        let url = cstring(url)?;
        let signer = signer.map(cstring).transpose()?;
        let pw = password_file.map(cstring).transpose()?;
        let cfg = sys::neuromesh_config {
            url: url.as_ptr(),
            token: ptr::null(),
            signer: signer.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            password_file: pw.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            home: ptr::null(),
            timeout_ms: 0,
            submit_timeout_ms: 0,
        };
        let mut raw = ptr::null_mut();
        let mut err = [0 as c_char; 512];
        let rc = unsafe { sys::neuromesh_connect(&cfg, &mut raw, err.as_mut_ptr(), err.len()) };
        check(rc, &err)?;
        Ok(Client { raw, sinks: Mutex::new(Vec::new()) })
    }

    pub fn is_dev(&self) -> bool {
        unsafe { sys::neuromesh_is_dev(self.raw) != 0 }
    }

    pub fn genesis(&self) -> String {
        text(unsafe { sys::neuromesh_genesis(self.raw) })
    }

    /// Any JSON-RPC method; params and result are JSON text.
    pub fn call(&self, method: &str, params_json: &str) -> Result<String> {
        let (m, p) = (cstring(method)?, cstring(params_json)?);
        let mut out: *mut c_char = ptr::null_mut();
        let mut err = [0 as c_char; 512];
        let rc = unsafe {
            sys::neuromesh_call(self.raw, m.as_ptr(), p.as_ptr(), &mut out, err.as_mut_ptr(),
                                err.len())
        };
        check(rc, &err)?;
        let s = text(out);
        unsafe { sys::neuromesh_free(out as *mut c_void) };
        Ok(s)
    }

    /// An account: an SS58 address, a keystore key name or a dev name.
    pub fn account(&self, who: &str) -> Result<Account> {
        let w = cstring(who)?;
        let mut a = sys::neuromesh_account { address: [0; 64], free: 0, nonce: 0, staked: 0 };
        let mut err = [0 as c_char; 512];
        let rc = unsafe {
            sys::neuromesh_account_get(self.raw, w.as_ptr(), &mut a, err.as_mut_ptr(), err.len())
        };
        check(rc, &err)?;
        Ok(Account { address: text(a.address.as_ptr()), free: a.free, nonce: a.nonce,
                     staked: a.staked })
    }

    pub fn best_height(&self) -> Result<u64> {
        let mut h = 0u64;
        let mut err = [0 as c_char; 512];
        let rc = unsafe {
            sys::neuromesh_best_height(self.raw, &mut h, err.as_mut_ptr(), err.len())
        };
        check(rc, &err).map(|_| h)
    }

    fn receipt_of<F>(&self, f: F) -> Result<Receipt>
    where
        F: FnOnce(*mut sys::neuromesh_receipt, *mut c_char, usize) -> i32,
    {
        let mut r = sys::neuromesh_receipt {
            extrinsic: [0; 67],
            block_hash: [0; 67],
            height: 0,
            index: -1,
            events_json: ptr::null_mut(),
        };
        let mut err = [0 as c_char; 512];
        let rc = f(&mut r, err.as_mut_ptr(), err.len());
        let mut fields = Vec::new();
        for (ev, field) in RECEIPT_FIELDS {
            let (e, fl) = (cstring(ev)?, cstring(field)?);
            let mut out = [0 as c_char; 128];
            if unsafe {
                sys::neuromesh_receipt_field(&r, e.as_ptr(), fl.as_ptr(), out.as_mut_ptr(),
                                             out.len())
            } == 0
            {
                fields.push((ev.to_string(), field.to_string(), text(out.as_ptr())));
            }
        }
        let receipt = Receipt {
            extrinsic: text(r.extrinsic.as_ptr()),
            block_hash: text(r.block_hash.as_ptr()),
            height: r.height,
            index: r.index,
            events_json: text(r.events_json),
            fields,
        };
        unsafe { sys::neuromesh_receipt_fini(&mut r) };
        check(rc, &err).map(|_| receipt)
    }

    /// Signs call(args_json) as signer, submits it and waits for its block.
    pub fn submit(&self, signer: &str, call: &str, args_json: &str) -> Result<Receipt> {
        let (s, c, a) = (cstring(signer)?, cstring(call)?, cstring(args_json)?);
        self.receipt_of(|r, e, cap| unsafe {
            sys::neuromesh_submit(self.raw, s.as_ptr(), c.as_ptr(), a.as_ptr(), r, e, cap)
        })
    }

    pub fn transfer(&self, signer: &str, dest: &str, amount: u64) -> Result<Receipt> {
        let (s, d) = (cstring(signer)?, cstring(dest)?);
        self.receipt_of(|r, e, cap| unsafe {
            sys::neuromesh_transfer(self.raw, s.as_ptr(), d.as_ptr(), amount, r, e, cap)
        })
    }

    pub fn stake_add(&self, signer: &str, subnet: u16, amount: u64) -> Result<Receipt> {
        let s = cstring(signer)?;
        self.receipt_of(|r, e, cap| unsafe {
            sys::neuromesh_stake_add(self.raw, s.as_ptr(), subnet, amount, r, e, cap)
        })
    }

    /// role: "miner" or "validator".
    pub fn register(&self, signer: &str, subnet: u16, role: &str, stake: u64, endpoint: &str)
                    -> Result<Receipt> {
        let (s, ro, ep) = (cstring(signer)?, cstring(role)?, cstring(endpoint)?);
        self.receipt_of(|r, e, cap| unsafe {
            sys::neuromesh_register(self.raw, s.as_ptr(), subnet, ro.as_ptr(), stake,
                                    ep.as_ptr(), r, e, cap)
        })
    }

    fn split(pairs: &[(u16, u16)]) -> (Vec<u16>, Vec<u16>) {
        pairs.iter().cloned().unzip()
    }

    pub fn weights_submit(&self, signer: &str, subnet: u16, pairs: &[(u16, u16)])
                          -> Result<Receipt> {
        let s = cstring(signer)?;
        let (u, w) = Self::split(pairs);
        self.receipt_of(|r, e, cap| unsafe {
            sys::neuromesh_weights_submit(self.raw, s.as_ptr(), subnet, u.as_ptr(), w.as_ptr(),
                                          u.len(), r, e, cap)
        })
    }

    /// Commits the weights' hash with a random salt; reveal with the Commit.
    pub fn weights_commit(&self, signer: &str, subnet: u16, pairs: &[(u16, u16)])
                          -> Result<(Commit, Receipt)> {
        let s = cstring(signer)?;
        let (u, w) = Self::split(pairs);
        let mut salt = [0u8; 32];
        let receipt = self.receipt_of(|r, e, cap| unsafe {
            sys::neuromesh_weights_commit(self.raw, s.as_ptr(), subnet, u.as_ptr(), w.as_ptr(),
                                          u.len(), salt.as_mut_ptr(), r, e, cap)
        })?;
        Ok((Commit { subnet, pairs: pairs.to_vec(), salt }, receipt))
    }

    /// Fails with REVEAL_TOO_EARLY before the subnet's reveal delay.
    pub fn weights_reveal(&self, signer: &str, commit: &Commit) -> Result<Receipt> {
        let s = cstring(signer)?;
        let (u, w) = Self::split(&commit.pairs);
        self.receipt_of(|r, e, cap| unsafe {
            sys::neuromesh_weights_reveal(self.raw, s.as_ptr(), commit.subnet, u.as_ptr(),
                                          w.as_ptr(), u.len(), commit.salt.as_ptr(), r, e, cap)
        })
    }

    /// Subscribes with method ("epoch_subscribe", "chain_subscribeNewHeads");
    /// `unsubscribe` is the method that ends it.
    pub fn subscribe(&self, method: &str, params_json: &str, unsubscribe: &str)
                     -> Result<Subscription> {
        let (m, p) = (cstring(method)?, cstring(params_json)?);
        let (tx, rx) = channel();
        let sink: Box<Sink> = Box::new(Mutex::new(tx));
        let ud = &*sink as *const Sink as *mut c_void;
        self.sinks.lock().unwrap().push(sink);
        let mut id = [0 as c_char; 128];
        let mut err = [0 as c_char; 512];
        let rc = unsafe {
            sys::neuromesh_subscribe(self.raw, m.as_ptr(), p.as_ptr(), on_notify, ud,
                                     id.as_mut_ptr(), id.len(), err.as_mut_ptr(), err.len())
        };
        check(rc, &err)?;
        Ok(Subscription { id: text(id.as_ptr()), rx, unsubscribe: unsubscribe.to_string() })
    }

    /// Epoch notifications (epoch_subscribe).
    pub fn epochs(&self) -> Result<Subscription> {
        self.subscribe("epoch_subscribe", "[]", "epoch_unsubscribe")
    }

    pub fn unsubscribe(&self, sub: Subscription) -> Result<()> {
        let (m, id) = (cstring(&sub.unsubscribe)?, cstring(&sub.id)?);
        let mut err = [0 as c_char; 512];
        let rc = unsafe {
            sys::neuromesh_unsubscribe(self.raw, m.as_ptr(), id.as_ptr(), err.as_mut_ptr(),
                                       err.len())
        };
        check(rc, &err)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        unsafe { sys::neuromesh_close(self.raw) }; // no callback runs after this
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_transfer_and_refuses_a_bad_call() {
        let bytes = encode_call("staking.add", r#"{"subnet":1,"amount":"5"}"#).unwrap();
        assert_eq!(bytes, vec![2, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0]);
        let e = encode_call("balances.burn", "{}").unwrap_err();
        assert_eq!((e.name.as_str(), e.code), ("UNKNOWN_CALL", -32018));
        assert!(e.message.contains("balances.burn"), "{}", e.message);
        let e = encode_call("staking.add", r#"{"subnet":1}"#).unwrap_err();
        assert!(e.message.contains("amount"), "{}", e.message);
    }
}
