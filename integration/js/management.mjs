// Candid IDL factories for the parts of the IC management canister (aaaaa-aa)
// and the counter test canister that the JS client test uses. The management
// types follow the interface spec DID (ic-latest.did). Results declare only
// the fields the test reads: Candid decoding skips record fields the expected
// type does not name, so a subset is a valid supertype of the full result.

import { Principal } from '@dfinity/principal';

export const managementIdlFactory = ({ IDL }) => {
  const canisterId = IDL.Principal;
  const logVisibility = IDL.Variant({
    controllers: IDL.Null,
    public: IDL.Null,
    allowed_viewers: IDL.Vec(IDL.Principal),
  });
  const environmentVariable = IDL.Record({ name: IDL.Text, value: IDL.Text });
  const canisterSettings = IDL.Record({
    controllers: IDL.Opt(IDL.Vec(IDL.Principal)),
    compute_allocation: IDL.Opt(IDL.Nat),
    memory_allocation: IDL.Opt(IDL.Nat),
    freezing_threshold: IDL.Opt(IDL.Nat),
    reserved_cycles_limit: IDL.Opt(IDL.Nat),
    log_visibility: IDL.Opt(logVisibility),
    wasm_memory_limit: IDL.Opt(IDL.Nat),
    wasm_memory_threshold: IDL.Opt(IDL.Nat),
    environment_variables: IDL.Opt(IDL.Vec(environmentVariable)),
  });
  const installMode = IDL.Variant({
    install: IDL.Null,
    reinstall: IDL.Null,
    upgrade: IDL.Opt(
      IDL.Record({
        skip_pre_upgrade: IDL.Opt(IDL.Bool),
        wasm_memory_persistence: IDL.Opt(IDL.Variant({ keep: IDL.Null, replace: IDL.Null })),
      }),
    ),
  });
  const provisionalCreateArgs = IDL.Record({
    amount: IDL.Opt(IDL.Nat),
    settings: IDL.Opt(canisterSettings),
    specified_id: IDL.Opt(canisterId),
    sender_canister_version: IDL.Opt(IDL.Nat64),
  });
  const installCodeArgs = IDL.Record({
    mode: installMode,
    canister_id: canisterId,
    wasm_module: IDL.Vec(IDL.Nat8),
    arg: IDL.Vec(IDL.Nat8),
    sender_canister_version: IDL.Opt(IDL.Nat64),
  });
  const canisterStatusResult = IDL.Record({
    status: IDL.Variant({ running: IDL.Null, stopping: IDL.Null, stopped: IDL.Null }),
    settings: IDL.Record({ controllers: IDL.Vec(IDL.Principal) }),
    module_hash: IDL.Opt(IDL.Vec(IDL.Nat8)),
    cycles: IDL.Nat,
  });
  return IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [provisionalCreateArgs],
      [IDL.Record({ canister_id: canisterId })],
      [],
    ),
    install_code: IDL.Func([installCodeArgs], [], []),
    canister_status: IDL.Func([IDL.Record({ canister_id: canisterId })], [canisterStatusResult], []),
  });
};

// Calls to aaaaa-aa are routed by an effective canister id that agent-js 3.x
// no longer derives itself: it is the target canister named in the argument,
// or any id (here aaaaa-aa) for provisional_create_canister_with_cycles,
// which has no target yet.
export function managementEffectiveCanisterId(_methodName, args) {
  const target = args[0]?.canister_id;
  return { effectiveCanisterId: target ?? Principal.managementCanister() };
}

export const counterIdlFactory = ({ IDL }) =>
  IDL.Service({
    inc: IDL.Func([], [IDL.Nat], []),
    get: IDL.Func([], [IDL.Nat], ['query']),
    greet: IDL.Func([IDL.Text], [IDL.Text], ['query']),
    fail: IDL.Func([], [], []),
    spin: IDL.Func([], [], []),
    echo: IDL.Func([IDL.Vec(IDL.Nat8)], [IDL.Vec(IDL.Nat8)], []),
  });
