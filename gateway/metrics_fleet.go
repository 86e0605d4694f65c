package gateway

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/canistry/canistry/canisters/registry"
)

// DefaultFleetTTL is how long one fleet_stats answer (or a failure to get
// one) serves scrapes: Prometheus may scrape every few seconds, and each
// read walks every canister the registry knows.
const DefaultFleetTTL = 10 * time.Second

// fleetReadTimeout bounds the one read a scrape may wait for.
const fleetReadTimeout = 5 * time.Second

// maxFleetCanisterSeries caps canistry_fleet_canisters. Versions are few
// in practice, but apps and versions are created by developers, not by the
// gateway; past the cap the smallest groups are summed per state into
// app="_other", version="_other" (neither a valid app id nor a version),
// so the total stays right and the series stay at most cap + 3.
const maxFleetCanisterSeries = 200

// fleetOther labels the groups folded past maxFleetCanisterSeries.
const fleetOther = "_other"

var (
	fleetCanistersDesc = prometheus.NewDesc("canistry_fleet_canisters",
		"Canisters the registry made, by app, version (\"\" when uninstalled) and state.",
		[]string{"app", "version", "state"}, nil)
	fleetUpgradesDesc = prometheus.NewDesc("canistry_fleet_upgrades",
		"Upgrades the registry ran, by outcome: done, rolled_back, failed, in_progress.",
		[]string{"outcome"}, nil)
	fleetReleasesDesc = prometheus.NewDesc("canistry_fleet_releases",
		"Releases in the registry, by state.", []string{"state"}, nil)
	fleetLowCyclesDesc = prometheus.NewDesc("canistry_fleet_low_cycles",
		"Canisters under their app's cycles threshold or whose owner is out of credit.", nil, nil)
	fleetErrorsDesc = prometheus.NewDesc("canistry_fleet_scrape_errors_total",
		"Failed reads of the registry's fleet_stats (at most one per cache period).", nil, nil)
)

// fleetCollector exports the registry's fleet_stats. Reads are cached for
// ttl, failures too: a scrape within ttl of a failure exports no fleet
// series (nothing stale) and does not ask again, so a failing registry is
// asked, and the failure logged, once per period.
type fleetCollector struct {
	read func(context.Context) (registry.FleetStats, error)
	log  *slog.Logger
	ttl  time.Duration
	now  func() time.Time

	mu     sync.Mutex // held across a read: concurrent scrapes share it
	readAt time.Time  // zero: never read
	stats  *registry.FleetStats
	errors uint64
}

func newFleetCollector(read func(context.Context) (registry.FleetStats, error), log *slog.Logger, ttl time.Duration) *fleetCollector {
	return &fleetCollector{read: read, log: log, ttl: ttl, now: time.Now}
}

func (f *fleetCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- fleetCanistersDesc
	ch <- fleetUpgradesDesc
	ch <- fleetReleasesDesc
	ch <- fleetLowCyclesDesc
	ch <- fleetErrorsDesc
}

func (f *fleetCollector) Collect(ch chan<- prometheus.Metric) {
	stats, errors := f.current()
	ch <- prometheus.MustNewConstMetric(fleetErrorsDesc, prometheus.CounterValue, float64(errors))
	if stats == nil {
		return
	}
	for _, g := range foldFleet(stats.Canisters, maxFleetCanisterSeries) {
		ch <- prometheus.MustNewConstMetric(fleetCanistersDesc, prometheus.GaugeValue, float64(g.Count), g.App, g.Version, string(g.State))
	}
	u := stats.Upgrades
	for outcome, n := range map[string]uint64{"done": u.Done, "rolled_back": u.RolledBack, "failed": u.Failed, "in_progress": u.InProgress} {
		ch <- prometheus.MustNewConstMetric(fleetUpgradesDesc, prometheus.GaugeValue, float64(n), outcome)
	}
	for state, n := range stats.Releases {
		ch <- prometheus.MustNewConstMetric(fleetReleasesDesc, prometheus.GaugeValue, float64(n), string(state))
	}
	ch <- prometheus.MustNewConstMetric(fleetLowCyclesDesc, prometheus.GaugeValue, float64(stats.LowCycles))
}

// current is the cached answer, read again once ttl has passed since the
// last read; nil after a failed one.
func (f *fleetCollector) current() (*registry.FleetStats, uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if !f.readAt.IsZero() && now.Sub(f.readAt) < f.ttl {
		return f.stats, f.errors
	}
	ctx, cancel := context.WithTimeout(context.Background(), fleetReadTimeout)
	defer cancel()
	s, err := f.read(ctx)
	f.readAt = now
	if err != nil {
		f.stats = nil
		f.errors++
		f.log.Warn("fleet gauges: cannot read the registry's fleet_stats; exporting none until the next try",
			"retry_in", f.ttl, "err", err)
		return nil, f.errors
	}
	f.stats = &s
	return f.stats, f.errors
}

// foldFleet keeps the most populous max groups (ties in the registry's
// order) and sums the rest per state into fleetOther groups.
func foldFleet(groups []registry.FleetCount, max int) []registry.FleetCount {
	if len(groups) <= max {
		return groups
	}
	sorted := slices.Clone(groups)
	slices.SortStableFunc(sorted, func(a, b registry.FleetCount) int { return cmp.Compare(b.Count, a.Count) })
	out := slices.Clone(sorted[:max])
	other := map[registry.CanisterState]uint64{}
	for _, g := range sorted[max:] {
		other[g.State] += g.Count
	}
	for _, s := range []registry.CanisterState{registry.Installed, registry.Upgrading, registry.Uninstalled} {
		if n, ok := other[s]; ok {
			out = append(out, registry.FleetCount{App: fleetOther, Version: fleetOther, State: s, Count: n})
		}
	}
	return out
}

// registerFleet adds the fleet gauges to the gateway's metrics when it has
// a registry. They are read as the gateway's own identity (fleet_stats is
// a public query), after the same protocol check the platform API makes.
func (g *Gateway) registerFleet(ttl time.Duration) error {
	if len(g.plat.id.Raw) == 0 {
		return nil
	}
	reg := registry.New(g.ic, g.plat.id)
	read := func(ctx context.Context) (registry.FleetStats, error) {
		if err := g.plat.negotiate(ctx); err != nil {
			return registry.FleetStats{}, err
		}
		return reg.FleetStats(ctx)
	}
	if err := g.tel.Registry.Register(newFleetCollector(read, g.log.With("registry", g.plat.id.String()), ttl)); err != nil {
		return fmt.Errorf("gateway: fleet gauges: %w", err)
	}
	return nil
}
