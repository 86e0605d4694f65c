package main

import (
	"errors"
	"flag"
	"strconv"
	"time"

	"github.com/canistry/canistry/gateway"
	"github.com/canistry/canistry/gateway/host"
)

// limitFlags are the gateway's bounds on what a client can make it hold.
type limitFlags struct {
	maxMessageBytes positiveInt
	maxConcurrent   positiveInt
	perCanister     positiveInt
	userRate        nonNegativeFloat
	userBurst       positiveInt
	requestTimeout  positiveDuration
	readTimeout     positiveDuration
	writeTimeout    positiveDuration
	idleTimeout     positiveDuration
}

// defaultLimits are gateway's defaults; userRate is per deployment: the
// gateway command limits each user, dev (one user, benchmarks) does not.
func defaultLimits(userRate float64) limitFlags {
	return limitFlags{
		maxMessageBytes: gateway.DefaultMaxMessageBytes, maxConcurrent: gateway.DefaultMaxConcurrent,
		perCanister: host.DefaultMaxInFlightPerCanister, userRate: nonNegativeFloat(userRate),
		userBurst:      positiveInt(max(1, int(2*userRate))),
		requestTimeout: positiveDuration(gateway.DefaultRequestTimeout), readTimeout: positiveDuration(gateway.DefaultReadTimeout),
		writeTimeout: positiveDuration(gateway.DefaultWriteTimeout), idleTimeout: positiveDuration(gateway.DefaultIdleTimeout),
	}
}

var limitEnv = envVars{
	"max-message-bytes":          "CANISTRY_MAX_MESSAGE_BYTES",
	"max-concurrent":             "CANISTRY_MAX_CONCURRENT",
	"max-in-flight-per-canister": "CANISTRY_MAX_IN_FLIGHT_PER_CANISTER",
	"user-rate":                  "CANISTRY_USER_RATE",
	"user-burst":                 "CANISTRY_USER_BURST",
	"request-timeout":            "CANISTRY_REQUEST_TIMEOUT",
	"read-timeout":               "CANISTRY_READ_TIMEOUT",
	"write-timeout":              "CANISTRY_WRITE_TIMEOUT",
	"idle-timeout":               "CANISTRY_IDLE_TIMEOUT",
}

func (l *limitFlags) register(fs *flag.FlagSet) {
	fs.Var(&l.maxMessageBytes, "max-message-bytes", "largest request message, after decompression, in `bytes`, for every protocol")
	fs.Var(&l.maxConcurrent, "max-concurrent", "requests served at once (`n`); past it requests are shed with resource_exhausted")
	fs.Var(&l.perCanister, "max-in-flight-per-canister", "one canister's requests in flight through one adapter (`n`)")
	fs.Var(&l.userRate, "user-rate", "each user's `requests` a second (the delegation's sender); 0: no limit")
	fs.Var(&l.userBurst, "user-burst", "each user's burst above --user-rate (`n` requests)")
	fs.Var(&l.requestTimeout, "request-timeout", "deadline (`duration`) of a request whose client set none")
	fs.Var(&l.readTimeout, "read-timeout", "time (`duration`) to read a request with its body")
	fs.Var(&l.writeTimeout, "write-timeout", "time (`duration`) to write an answer")
	fs.Var(&l.idleTimeout, "idle-timeout", "how long (`duration`) an idle keep-alive connection stays open")
}

func (l *limitFlags) gateway() gateway.Limits {
	return gateway.Limits{
		MaxMessageBytes: int(l.maxMessageBytes), MaxConcurrent: int(l.maxConcurrent),
		UserRate: float64(l.userRate), UserBurst: int(l.userBurst),
		RequestTimeout: time.Duration(l.requestTimeout), ReadTimeout: time.Duration(l.readTimeout),
		WriteTimeout: time.Duration(l.writeTimeout), IdleTimeout: time.Duration(l.idleTimeout),
	}
}

// positiveInt is a flag for a whole number above zero.
type positiveInt int

func (n *positiveInt) String() string { return strconv.Itoa(int(*n)) }

func (n *positiveInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("want a whole number, e.g. 64")
	}
	if v <= 0 {
		return errors.New("want a number above zero")
	}
	*n = positiveInt(v)
	return nil
}

// nonNegativeFloat is a flag for a rate: zero or more.
type nonNegativeFloat float64

func (f *nonNegativeFloat) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }

func (f *nonNegativeFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("want a number, e.g. 100 or 0.5")
	}
	if v < 0 || v != v {
		return errors.New("want zero or more")
	}
	*f = nonNegativeFloat(v)
	return nil
}

// withLimitEnv adds the limits' environment fallbacks to a command's.
func withLimitEnv(env envVars) envVars {
	out := envVars{}
	for k, v := range env {
		out[k] = v
	}
	for k, v := range limitEnv {
		out[k] = v
	}
	return out
}
