/// Kubernetes object names as the contract accepts them (RFC 1123, as Kubernetes validates them).
module k3sdaas::names;

use std::string::String;

// === Constants ===

const MAX_LABEL: u64 = 63;
const HYPHEN: u8 = 45; // '-'
const DOT: u8 = 46; // '.'

// === Package functions ===

/// A DNS-1123 label (namespace names): 1..=63 bytes of lowercase ASCII letters, digits and `-`, starting and ending
/// with a letter or digit.
public(package) fun is_dns_label(name: &String): bool {
    let b = name.as_bytes();
    let n = b.length();
    if (n == 0 || n > MAX_LABEL) return false;
    if (!is_alnum(b[0]) || !is_alnum(b[n - 1])) return false;
    b.all!(|c| is_alnum(*c) || *c == HYPHEN)
}

/// A DNS-1123 subdomain of at most 63 bytes (node names): dot-separated DNS-1123 labels.
public(package) fun is_dns_subdomain(name: &String): bool {
    let b = name.as_bytes();
    let n = b.length();
    if (n == 0 || n > MAX_LABEL) return false;
    let mut i = 0;
    let mut start = 0;
    while (i <= n) {
        if (i == n || b[i] == DOT) {
            // Each label starts and ends with a letter or digit (so none is empty).
            if (i == start || !is_alnum(b[start]) || !is_alnum(b[i - 1])) return false;
            start = i + 1;
        } else if (!is_alnum(b[i]) && b[i] != HYPHEN) return false;
        i = i + 1;
    };
    true
}

/// Names no tenant may claim: `default` and every `kube-*` or `k3sdaas-*` name.
public(package) fun is_reserved_namespace(name: &String): bool {
    let b = name.as_bytes();
    b == &b"default" || starts_with(b, &b"kube-") || starts_with(b, &b"k3sdaas-")
}

// === Private functions ===

fun is_alnum(c: u8): bool { (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) }

fun starts_with(b: &vector<u8>, prefix: &vector<u8>): bool {
    if (b.length() < prefix.length()) return false;
    let mut i = 0;
    while (i < prefix.length()) {
        if (b[i] != prefix[i]) return false;
        i = i + 1;
    };
    true
}
