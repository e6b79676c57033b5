/// The object ids the signatures in vectors_tests.move were made for.
#[test_only]
module k3sdaas::scenario_ids_tests;

use k3sdaas::access::SealToken;
use k3sdaas::cluster::Cluster;
use k3sdaas::env_tests as env;
use k3sdaas::vectors_tests as v;
use k3sdaas::workers::Worker;
use sui::test_scenario as ts;

#[test]
fun cluster_and_token_ids_match_vectors() {
    let (scenario, clock) = env::setup_with_token(2, 1_000, v::user());
    let cluster = scenario.take_shared<Cluster>();
    assert!(object::id(&cluster).to_address() == v::cluster_id());
    let token = scenario.take_from_sender<SealToken>();
    assert!(object::id(&token).to_address() == v::token_id());
    scenario.return_to_sender(token);
    ts::return_shared(cluster);
    env::finish(scenario, clock);
}

#[test]
fun worker_id_matches_vectors() {
    let (scenario, clock) = env::setup_with_worker(v::worker());
    let worker = scenario.take_shared<Worker>();
    assert!(object::id(&worker).to_address() == v::worker_id());
    ts::return_shared(worker);
    env::finish(scenario, clock);
}
