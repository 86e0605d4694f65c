// Drives a canistry httpapi handler with an unmodified @dfinity/agent:
// node agentjs.mjs <host> <canister id>. Prints one JSON object of results.
import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';

const [host, canisterId] = process.argv.slice(2);

const idlFactory = ({ IDL }) =>
  IDL.Service({
    echo: IDL.Func([IDL.Text], [IDL.Text], []),
    slow: IDL.Func([IDL.Text], [IDL.Text], []),
    refuse: IDL.Func([IDL.Text], [IDL.Text], []),
    peek: IDL.Func([IDL.Text], [IDL.Text], ['query']),
    fail: IDL.Func([IDL.Text], [IDL.Text], ['query']),
  });

async function outcome(promise) {
  try {
    return { ok: await promise };
  } catch (e) {
    return { err: String(e && e.message ? e.message : e) };
  }
}

const agent = await HttpAgent.create({
  host,
  identity: Ed25519KeyIdentity.generate(),
  shouldFetchRootKey: true,
});
const actor = Actor.createActor(idlFactory, { agent, canisterId });
const results = {
  echo: await outcome(actor.echo('hello')),
  slow: await outcome(actor.slow('later')),
  refuse: await outcome(actor.refuse('x')),
  peek: await outcome(actor.peek('query')),
  fail: await outcome(actor.fail('x')),
};
console.log(JSON.stringify(results));
