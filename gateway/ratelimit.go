package gateway

import (
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/aviate-labs/agent-go/principal"
	"golang.org/x/time/rate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/canistry/canistry/gateway/auth"
	"github.com/canistry/canistry/ic/delegated"
)

// userRates is a token bucket per user principal (the sender of the
// request's verified delegation), so that one user cannot take the
// gateway from the others. Buckets of users idle for long are dropped, so
// its memory follows the active users, not every user ever seen.
type userRates struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// idleBucket is how long a user's bucket outlives its last request; a
// bucket idle that long is full again anyway.
const idleBucket = 10 * time.Minute

// newUserRates allows each user perSecond requests a second with bursts
// of burst; perSecond ≤ 0 allows any rate.
func newUserRates(perSecond float64, burst int) *userRates {
	if perSecond <= 0 {
		return &userRates{limit: rate.Inf}
	}
	if burst <= 0 {
		burst = int(math.Ceil(2 * perSecond))
	}
	return &userRates{limit: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// allow takes one request from user's bucket, or refuses it with
// resource_exhausted, a RetryInfo detail and Retry-After saying when the
// next one will be taken.
func (u *userRates) allow(user principal.Principal, now time.Time) error {
	if u.limit == rate.Inf {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.sweep(now)
	b := u.buckets[string(user.Raw)]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(u.limit, u.burst)}
		u.buckets[string(user.Raw)] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	delay := r.DelayFrom(now)
	if delay == 0 {
		return nil
	}
	r.CancelAt(now)
	return overRate(user, float64(u.limit), delay)
}

func (u *userRates) sweep(now time.Time) {
	if now.Sub(u.swept) < idleBucket {
		return
	}
	for k, b := range u.buckets {
		if now.Sub(b.seen) > idleBucket {
			delete(u.buckets, k)
		}
	}
	u.swept = now
}

func overRate(user principal.Principal, perSecond float64, delay time.Duration) *connect.Error {
	delay = delay.Round(time.Millisecond)
	ce := connect.NewError(connect.CodeResourceExhausted, fmt.Errorf(
		"%s is over its %g requests a second at this gateway; retry in %v", user, perSecond, delay))
	if d, err := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)}); err == nil {
		ce.AddDetail(d)
	}
	ce.Meta().Set("Retry-After", fmt.Sprint(int(math.Ceil(delay.Seconds()))))
	return ce
}

// authorize checks the request's delegation for canister and takes one
// request from its user's rate.
func (g *Gateway) authorize(h http.Header, canister principal.Principal) (*delegated.Verified, error) {
	user, err := g.auth.Check(h.Get(auth.Header), canister)
	if err != nil {
		return nil, err
	}
	if err := g.rates.allow(user.Sender, time.Now()); err != nil {
		return nil, err
	}
	return user, nil
}
