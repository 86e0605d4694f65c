// Package hosttest is a real adapter plugin for testing the host and the
// gateway before (and independently of) the SDK's built-in adapters: a
// go-plugin process serving AdapterService and PersonalService over the
// adapter contract v1, reaching the canister only through the host's
// IcService. It translates the documents part of the personal API to the
// Candid of personal/1.x and personal/2.x–3.x; messaging is Unimplemented.
//
// Besides personal1..3 it knows names that misbehave on purpose, to test
// the host's wiring-time checks: "badcap" (an unknown capability),
// "badservice" (an unknown service) and "overlap2" (overlaps personal2).
package hosttest
