package main

import (
	"errors"
	"flag"
	"strconv"
	"time"

	"github.com/canistry/canistry/replica"
)

// evictFlags bound the wasm instances a replica keeps in memory; an evicted
// canister is restored from its durable state on its next message.
type evictFlags struct {
	idleAfter nonNegativeDuration
	maxLive   nonNegativeInt
}

func (e *evictFlags) register(fs *flag.FlagSet) {
	e.idleAfter = nonNegativeDuration(replica.DefaultEvictIdleAfter)
	fs.Var(&e.idleAfter, "evict-idle-after", "close a canister's wasm instance after it idles this `long` (restored from disk on its next message); 0 = never")
	fs.Var(&e.maxLive, "max-live-instances", "keep at most this many wasm instances in memory, closing the least recently used; 0 = no cap")
}

// apply sets the replica's eviction config; 0 on the command line means
// "never", which the replica spells as a negative bound.
func (e *evictFlags) apply(cfg *replica.Config) {
	cfg.EvictIdleAfter = time.Duration(e.idleAfter)
	if cfg.EvictIdleAfter == 0 {
		cfg.EvictIdleAfter = -1
	}
	cfg.MaxLiveInstances = int(e.maxLive)
}

// nonNegativeDuration is a time.Duration of zero or more.
type nonNegativeDuration time.Duration

func (d *nonNegativeDuration) String() string { return time.Duration(*d).String() }

func (d *nonNegativeDuration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return errors.New("want a duration of zero or more, e.g. 60s")
	}
	*d = nonNegativeDuration(v)
	return nil
}

// nonNegativeInt is a whole number of zero or more.
type nonNegativeInt int

func (n *nonNegativeInt) String() string { return strconv.Itoa(int(*n)) }

func (n *nonNegativeInt) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return errors.New("want a whole number of zero or more, e.g. 1000")
	}
	*n = nonNegativeInt(v)
	return nil
}
