//! neuromesh-sys - raw bindings to libneuromesh (sdk/c/neuromesh.h). Every
//! function returns 0 or a negative error code and writes a message into
//! `err`; strings it returns are freed with `neuromesh_free`. Use the safe
//! `neuromesh` crate instead unless you need the C API itself.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_void};

pub const NEUROMESH_ADDRESS_LEN: usize = 64;

#[repr(C)]
pub struct neuromesh_client {
    _private: [u8; 0],
}

#[repr(C)]
pub struct neuromesh_config {
    pub url: *const c_char,
    pub token: *const c_char,
    pub signer: *const c_char,
    pub password_file: *const c_char,
    pub home: *const c_char,
    pub timeout_ms: c_int,
    pub submit_timeout_ms: c_int,
}

#[repr(C)]
pub struct neuromesh_account {
    pub address: [c_char; NEUROMESH_ADDRESS_LEN],
    pub free: u64,
    pub nonce: u64,
    pub staked: u64,
}

#[repr(C)]
pub struct neuromesh_receipt {
    pub extrinsic: [c_char; 67],
    pub block_hash: [c_char; 67],
    pub height: u64,
    pub index: c_int,
    pub events_json: *mut c_char,
}

pub type neuromesh_notify_fn = extern "C" fn(ud: *mut c_void, result_json: *const c_char);

extern "C" {
    pub fn neuromesh_version() -> *const c_char;
    pub fn neuromesh_strerror(code: c_int) -> *const c_char;
    pub fn neuromesh_errname(code: c_int) -> *const c_char;
    pub fn neuromesh_rpc_code(code: c_int) -> c_int;
    pub fn neuromesh_free(p: *mut c_void);
    pub fn neuromesh_connect(cfg: *const neuromesh_config, out: *mut *mut neuromesh_client,
                             err: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_close(c: *mut neuromesh_client);
    pub fn neuromesh_is_dev(c: *const neuromesh_client) -> c_int;
    pub fn neuromesh_genesis(c: *const neuromesh_client) -> *const c_char;
    pub fn neuromesh_call(c: *mut neuromesh_client, method: *const c_char,
                          params_json: *const c_char, result_json: *mut *mut c_char,
                          err: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_account_get(c: *mut neuromesh_client, account: *const c_char,
                                 out: *mut neuromesh_account, err: *mut c_char,
                                 cap: usize) -> c_int;
    pub fn neuromesh_best_height(c: *mut neuromesh_client, height: *mut u64, err: *mut c_char,
                                 cap: usize) -> c_int;
    pub fn neuromesh_signer_address(c: *mut neuromesh_client, signer: *const c_char,
                                    out: *mut c_char, err: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_call_encode(call: *const c_char, args_json: *const c_char, out: *mut u8,
                                 cap: usize, len: *mut usize, err: *mut c_char,
                                 cap_err: usize) -> c_int;
    pub fn neuromesh_receipt_fini(r: *mut neuromesh_receipt);
    pub fn neuromesh_receipt_field(r: *const neuromesh_receipt, event: *const c_char,
                                   field: *const c_char, out: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_submit(c: *mut neuromesh_client, signer: *const c_char, call: *const c_char,
                            args_json: *const c_char, receipt: *mut neuromesh_receipt,
                            err: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_transfer(c: *mut neuromesh_client, signer: *const c_char,
                              dest: *const c_char, amount: u64, r: *mut neuromesh_receipt,
                              err: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_stake_add(c: *mut neuromesh_client, signer: *const c_char, subnet: u16,
                               amount: u64, r: *mut neuromesh_receipt, err: *mut c_char,
                               cap: usize) -> c_int;
    pub fn neuromesh_register(c: *mut neuromesh_client, signer: *const c_char, subnet: u16,
                              role: *const c_char, stake: u64, endpoint: *const c_char,
                              r: *mut neuromesh_receipt, err: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_weights_submit(c: *mut neuromesh_client, signer: *const c_char,
                                    subnet: u16, uids: *const u16, weights: *const u16, n: usize,
                                    r: *mut neuromesh_receipt, err: *mut c_char,
                                    cap: usize) -> c_int;
    pub fn neuromesh_weights_commit(c: *mut neuromesh_client, signer: *const c_char,
                                    subnet: u16, uids: *const u16, weights: *const u16, n: usize,
                                    salt: *mut u8, r: *mut neuromesh_receipt, err: *mut c_char,
                                    cap: usize) -> c_int;
    pub fn neuromesh_weights_reveal(c: *mut neuromesh_client, signer: *const c_char,
                                    subnet: u16, uids: *const u16, weights: *const u16, n: usize,
                                    salt: *const u8, r: *mut neuromesh_receipt, err: *mut c_char,
                                    cap: usize) -> c_int;
    pub fn neuromesh_subscribe(c: *mut neuromesh_client, method: *const c_char,
                               params_json: *const c_char, f: neuromesh_notify_fn,
                               ud: *mut c_void, sub_id: *mut c_char, sub_cap: usize,
                               err: *mut c_char, cap: usize) -> c_int;
    pub fn neuromesh_unsubscribe(c: *mut neuromesh_client, unsubscribe_method: *const c_char,
                                 sub_id: *const c_char, err: *mut c_char, cap: usize) -> c_int;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_matches_the_crate() {
        let v = unsafe { CStr::from_ptr(neuromesh_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
