/// kubectl requests on chain: one shared `Request` per HTTP request, answered once by the enclave or expired. Its fee
/// is escrowed in the Request: paid to the cluster's revenue by `respond`, refunded to the requester by `expire`.
module k3sdaas::request;

use k3sdaas::access::{Self, SealToken};
use k3sdaas::cluster::{Self, Cluster};
use k3sdaas::credential;
use k3sdaas::enclave;
use std::string::String;
use sui::balance::Balance;
use sui::clock::Clock;
use sui::coin;
use sui::event;
use sui::sui::SUI;

// === Errors ===

const EInvalidMethod: u64 = 0;
const EInvalidPath: u64 = 1;
const EInvalidReplyKey: u64 = 2;
const EInvalidDigest: u64 = 3;
const EBodyTooLarge: u64 = 4;
const EGatewayNotRegistered: u64 = 5;
const EWrongGateway: u64 = 6;
const EDeadlinePassed: u64 = 7;
const EDeadlineNotReached: u64 = 8;
const EWrongClusterRequest: u64 = 9;
const EWrongVersion: u64 = 10;

// === Constants ===

const MAX_INLINE_BODY: u64 = 98_304;
const KEY_LENGTH: u64 = 32;
const DIGEST_LENGTH: u64 = 32;

// === Structs ===

public struct Request has key {
    id: UID,
    version: u64,
    cluster_id: ID,
    requester: address,
    gateway: Option<address>,
    token_id: ID,
    method: String,
    path: String,
    body_digest: vector<u8>,
    reply_key: vector<u8>,
    submitted_ms: u64,
    deadline_ms: u64,
    fee: Balance<SUI>,
}

public struct ResponsePayload has copy, drop {
    request_id: ID,
    requester: address,
    request_body_digest: vector<u8>,
    status: u16,
    response_body_digest: vector<u8>,
}

// === Events ===

public struct RequestSubmitted has copy, drop {
    request_id: ID,
    cluster_id: ID,
    requester: address,
    gateway: Option<address>,
    token_id: ID,
    role: u8,
    method: String,
    path: String,
    namespace: String,
    resource: String,
    body_digest: vector<u8>,
    body_size: u64,
    body: vector<u8>,
    body_blob: String,
    reply_key: vector<u8>,
    submitted_ms: u64,
    deadline_ms: u64,
    fee: u64,
}

public struct ResponseStored has copy, drop {
    request_id: ID,
    cluster_id: ID,
    requester: address,
    status: u16,
    body_digest: vector<u8>,
    body_size: u64,
    body: vector<u8>,
    body_blob: String,
    timestamp_ms: u64,
    signature: vector<u8>,
    latency_ms: u64,
    fee: u64,
}

public struct RequestExpired has copy, drop {
    request_id: ID,
    cluster_id: ID,
    requester: address,
    deadline_ms: u64,
    refund: u64,
}

// === Public functions ===

/// A request by the owner of `token` (Sui checks the sender owns it).
public fun submit(
    cluster: &mut Cluster,
    token: &SealToken,
    method: String,
    path: String,
    body_digest: vector<u8>,
    body_size: u64,
    body: vector<vector<u8>>,
    body_blob: String,
    reply_key: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    cluster.assert_version();
    let body = validate(&method, &path, &reply_key, &body_digest, body);
    access::assert_token_cluster(token, cluster);
    let token_id = access::token_id(token);
    let (role, namespace, resource) = access::authorize(cluster, token_id, &method, &path);
    let requester = ctx.sender();
    share(
        cluster, requester, option::none(), token_id, role, method, path, namespace, resource,
        body_digest, body_size, body, body_blob, reply_key, clock, ctx,
    );
}

/// A request by a registered gateway (the sender) on behalf of the signer of `credential`.
public fun submit_via_gateway(
    cluster: &mut Cluster,
    credential: vector<u8>,
    signature: vector<u8>,
    method: String,
    path: String,
    body_digest: vector<u8>,
    body_size: u64,
    body: vector<vector<u8>>,
    body_blob: String,
    reply_key: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    cluster.assert_version();
    let body = validate(&method, &path, &reply_key, &body_digest, body);
    let gateway = ctx.sender();
    assert!(cluster.is_gateway(gateway), EGatewayNotRegistered);
    let (credential, requester) = credential::verify(credential, signature, clock);
    assert!(credential.gateway() == gateway, EWrongGateway);
    access::assert_cluster_id(credential.cluster_id(), cluster);
    let token_id = credential.token_id();
    access::assert_token_owner(cluster, token_id, requester);
    let (role, namespace, resource) = access::authorize(cluster, token_id, &method, &path);
    share(
        cluster, requester, option::some(gateway), token_id, role, method, path, namespace, resource,
        body_digest, body_size, body, body_blob, reply_key, clock, ctx,
    );
}

/// Stores the enclave's signed answer, pays the request's fee to the cluster's revenue and deletes the request.
public fun respond(
    cluster: &mut Cluster,
    request: Request,
    status: u16,
    body_digest: vector<u8>,
    body_size: u64,
    body: vector<vector<u8>>,
    body_blob: String,
    timestamp_ms: u64,
    signature: vector<u8>,
    clock: &Clock,
) {
    cluster.assert_version();
    assert!(request.version == cluster::version(), EWrongVersion);
    let now = clock.timestamp_ms();
    assert!(request.cluster_id == cluster.cluster_id(), EWrongClusterRequest);
    assert!(now <= request.deadline_ms, EDeadlinePassed);
    assert!(body_digest.length() == DIGEST_LENGTH, EInvalidDigest);
    let body = concat(body);

    let Request {
        id,
        version: _,
        cluster_id,
        requester,
        gateway: _,
        token_id: _,
        method: _,
        path: _,
        body_digest: request_body_digest,
        reply_key: _,
        submitted_ms,
        deadline_ms: _,
        fee,
    } = request;
    let request_id = id.to_inner();
    let payload = ResponsePayload {
        request_id,
        requester,
        request_body_digest,
        status,
        response_body_digest: body_digest,
    };
    enclave::verify(cluster, enclave::intent_response(), timestamp_ms, payload, &signature, clock);
    id.delete();
    let fee_amount = fee.value();
    cluster.add_revenue(fee);

    event::emit(ResponseStored {
        request_id,
        cluster_id,
        requester,
        status,
        body_digest,
        body_size,
        body,
        body_blob,
        timestamp_ms,
        signature,
        latency_ms: now - submitted_ms,
        fee: fee_amount,
    });
}

/// Deletes an unanswered request after its deadline and refunds its fee (if any) to the requester (anyone may call it).
public fun expire(request: Request, clock: &Clock, ctx: &mut TxContext) {
    assert!(request.version <= cluster::version(), EWrongVersion);
    assert!(clock.timestamp_ms() > request.deadline_ms, EDeadlineNotReached);
    let Request { id, cluster_id, requester, deadline_ms, fee, .. } = request;
    let request_id = id.to_inner();
    id.delete();
    let refund = fee.value();
    event::emit(RequestExpired { request_id, cluster_id, requester, deadline_ms, refund });
    // No dust: a free request leaves no zero coin behind.
    if (refund == 0) fee.destroy_zero() else transfer::public_transfer(coin::from_balance(fee, ctx), requester);
}

// === Private functions ===

/// Validation shared by both submit paths, in order: method, path, reply key, digest, body size.
/// Returns the concatenated body.
fun validate(
    method: &String,
    path: &String,
    reply_key: &vector<u8>,
    body_digest: &vector<u8>,
    body: vector<vector<u8>>,
): vector<u8> {
    assert!(access::is_valid_method(method), EInvalidMethod);
    assert!(access::is_valid_path(path), EInvalidPath);
    assert!(reply_key.length() == KEY_LENGTH, EInvalidReplyKey);
    assert!(body_digest.length() == DIGEST_LENGTH, EInvalidDigest);
    concat(body)
}

/// Concatenates body chunks; aborts `EBodyTooLarge` past MAX_INLINE_BODY bytes.
fun concat(chunks: vector<vector<u8>>): vector<u8> {
    let mut body = vector[];
    chunks.do!(|chunk| {
        assert!(body.length() + chunk.length() <= MAX_INLINE_BODY, EBodyTooLarge);
        body.append(chunk);
    });
    body
}

fun share(
    cluster: &mut Cluster,
    requester: address,
    gateway: Option<address>,
    token_id: ID,
    role: u8,
    method: String,
    path: String,
    namespace: String,
    resource: String,
    body_digest: vector<u8>,
    body_size: u64,
    body: vector<u8>,
    body_blob: String,
    reply_key: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    let fee = access::charge(cluster, token_id, &method);
    let fee_amount = fee.value();
    let cluster_id = cluster.cluster_id();
    let submitted_ms = clock.timestamp_ms();
    let deadline_ms = submitted_ms + cluster.request_timeout_ms();
    let request = Request {
        id: object::new(ctx),
        version: cluster::version(),
        cluster_id,
        requester,
        gateway,
        token_id,
        method,
        path,
        body_digest,
        reply_key,
        submitted_ms,
        deadline_ms,
        fee,
    };
    event::emit(RequestSubmitted {
        request_id: object::id(&request),
        cluster_id,
        requester,
        gateway,
        token_id,
        role,
        method,
        path,
        namespace,
        resource,
        body_digest,
        body_size,
        body,
        body_blob,
        reply_key,
        submitted_ms,
        deadline_ms,
        fee: fee_amount,
    });
    transfer::share_object(request);
}

// === Test-only ===

#[test_only]
public fun new_response_payload_for_testing(
    request_id: ID,
    requester: address,
    request_body_digest: vector<u8>,
    status: u16,
    response_body_digest: vector<u8>,
): ResponsePayload {
    ResponsePayload { request_id, requester, request_body_digest, status, response_body_digest }
}

#[test_only]
public fun requester(request: &Request): address { request.requester }

#[test_only]
public fun gateway(request: &Request): Option<address> { request.gateway }

#[test_only]
public fun token_id(request: &Request): ID { request.token_id }

#[test_only]
public fun body_digest(request: &Request): vector<u8> { request.body_digest }

#[test_only]
public fun deadline_ms(request: &Request): u64 { request.deadline_ms }

#[test_only]
public fun submitted_ms(request: &Request): u64 { request.submitted_ms }

#[test_only]
public fun submitted_fields(e: &RequestSubmitted): (ID, address, Option<address>, u8, String, String, vector<u8>) {
    (e.request_id, e.requester, e.gateway, e.role, e.namespace, e.resource, e.body)
}

#[test_only]
public fun stored_fields(e: &ResponseStored): (ID, address, u16, vector<u8>, u64) {
    (e.request_id, e.requester, e.status, e.body, e.latency_ms)
}

#[test_only]
public fun expired_fields(e: &RequestExpired): (ID, address, u64) {
    (e.request_id, e.requester, e.deadline_ms)
}

#[test_only]
public fun fee_value(request: &Request): u64 { request.fee.value() }

#[test_only]
public fun set_version_for_testing(request: &mut Request, version: u64) { request.version = version }
