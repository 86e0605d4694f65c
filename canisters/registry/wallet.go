package registry

import (
	"context"
	"fmt"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"

	c "github.com/canistry/canistry/internal/candid/registry_1_0_0"
)

// A user's ingress messages cannot carry cycles; a cycles wallet the user
// controls can. DepositThroughWallet is the way a user deposits credit:
// it asks the wallet (dfx's cycles wallet interface, wallet_call128) to
// call the registry's deposit_credit(owner) with amount cycles attached.

// walletCall is dfx's cycles wallet's wallet_call128 argument.
type walletCall struct {
	Canister   principal.Principal `ic:"canister"`
	MethodName string              `ic:"method_name"`
	Args       []byte              `ic:"args"`
	Cycles     idl.Nat             `ic:"cycles"`
}

// walletResult is its answer: the callee's reply, or why the wallet did
// not make the call (or the callee rejected it).
type walletResult struct {
	Ok *struct {
		Return []byte `ic:"return"`
	} `ic:"Ok,variant"`
	Err *string `ic:"Err,variant"`
}

// WalletError is a wallet's refusal (or the registry's reject, as the
// wallet reports it).
type WalletError struct {
	Wallet  principal.Principal
	Message string
}

func (e *WalletError) Error() string {
	return fmt.Sprintf("wallet %s: %s", e.Wallet, e.Message)
}

// DepositThroughWallet deposits amount cycles from wallet to owner's
// credit and returns that credit. The caller must be allowed to call
// through the wallet (its custodian or controller); the registry credits
// owner with every cycle it accepts.
func (cl *Client) DepositThroughWallet(ctx context.Context, wallet, owner principal.Principal, amount uint64) (Credit, error) {
	inner, err := candid.Marshal([]any{&owner})
	if err != nil {
		return Credit{}, fmt.Errorf("registry.deposit_credit: encode the arguments: %w", err)
	}
	arg, err := candid.Marshal([]any{walletCall{Canister: cl.id, MethodName: "deposit_credit", Args: inner, Cycles: nat(amount)}})
	if err != nil {
		return Credit{}, fmt.Errorf("wallet_call128: encode the arguments: %w", err)
	}
	reply, err := cl.caller.Call(ctx, wallet, "wallet_call128", arg)
	if err != nil {
		return Credit{}, err
	}
	var res walletResult
	if err := candid.Unmarshal(reply, []any{&res}); err != nil {
		return Credit{}, fmt.Errorf("wallet_call128: decode the reply: %w", err)
	}
	if res.Err != nil || res.Ok == nil {
		msg := "no answer"
		if res.Err != nil {
			msg = *res.Err
		}
		return Credit{}, &WalletError{Wallet: wallet, Message: msg}
	}
	var out c.CreditResult
	if err := candid.Unmarshal(res.Ok.Return, []any{&out}); err != nil {
		return Credit{}, fmt.Errorf("registry.deposit_credit: decode the reply: %w", err)
	}
	if out.Err != nil {
		return Credit{}, fromCandid(out.Err)
	}
	return creditFromCandid(*out.Ok), nil
}
