package profile

import (
	"fmt"
	"sync"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel/summary"
)

// Store keeps profiles between agents (the history).
type Store interface {
	LoadProfile(image string) (*Profile, error) // nil, nil: none yet
	SaveProfile(p *Profile) error
}

// Bounds on what a watcher holds, whatever the sandboxes do.
const (
	MaxSandboxes = 4096 // as many as the agent reads taps of
	MaxProfiles  = 1024 // images with a profile in memory (least recently used dropped; the store keeps them)
	MaxRecent    = 64   // anomalies kept for status
	maxSubjects  = 256  // rate-limited subjects per sandbox (then one per rule)
)

// Finding is an anomaly of one sandbox, as the watcher reports it.
type Finding struct {
	At      time.Time
	Sandbox string
	Image   string
	Anomaly Anomaly
}

// Watcher learns each image's profile from its sandboxes' windows and
// checks every window of a sandbox whose image's profile is frozen. It is
// safe for concurrent use.
type Watcher struct {
	store    Store
	rules    []Rule
	learning Learning
	every    time.Duration // a sandbox reports a rule and subject at most once per this

	mu        sync.Mutex
	sandboxes map[string]*watched
	profiles  map[string]*cached
	clock     uint64 // profile use order
	recent    []Finding
	counts    map[string]map[string]uint64 // sandbox -> rule -> anomalies
	limited   uint64                       // findings not reported: rate limit
	errs      uint64
}

type watched struct {
	image   string
	pending Window // evidence before the sandbox's image is known
	last    map[string]time.Time
}

type cached struct {
	p    *Profile
	used uint64
}

// NewWatcher makes a watcher; every bounds how often one sandbox reports
// one rule on one subject (a binary, a class).
func NewWatcher(store Store, rules []Rule, l Learning, every time.Duration) *Watcher {
	return &Watcher{store: store, rules: rules, learning: l, every: every,
		sandboxes: map[string]*watched{}, profiles: map[string]*cached{}, counts: map[string]map[string]uint64{}}
}

// Observe takes one window of a sandbox (its containers summed). Before
// the sandbox's image is known (SetImage) the evidence waits; after, it is
// learned into the image's profile or checked against it. It returns the
// findings to report (rate-limited).
func (w *Watcher) Observe(sandbox string, win *Window, now time.Time) []Finding {
	w.mu.Lock()
	defer w.mu.Unlock()
	sb := w.sandbox(sandbox)
	if sb == nil {
		return nil
	}
	if sb.image == "" {
		sb.pending.merge(win)
		return nil
	}
	return w.process(sandbox, sb, win, now)
}

// SetImage names a sandbox's image (once; later calls for the sandbox are
// ignored): a new run of the image starts, and the evidence that waited is
// processed.
func (w *Watcher) SetImage(sandbox, image string, now time.Time) []Finding {
	w.mu.Lock()
	defer w.mu.Unlock()
	sb := w.sandbox(sandbox)
	if sb == nil || sb.image != "" || image == "" {
		return nil
	}
	sb.image = image
	p := w.profile(image)
	p.StartRun(w.learning)
	w.save(p)
	pending := sb.pending
	sb.pending = Window{}
	if pending.empty() {
		return nil
	}
	return w.process(sandbox, sb, &pending, now)
}

// Forget drops a sandbox that is gone.
func (w *Watcher) Forget(sandbox string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.sandboxes, sandbox)
	delete(w.counts, sandbox)
}

// Sandboxes lists the sandboxes watched.
func (w *Watcher) Sandboxes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.sandboxes))
	for id := range w.sandboxes {
		out = append(out, id)
	}
	return out
}

func (w *Watcher) sandbox(id string) *watched {
	sb, ok := w.sandboxes[id]
	if !ok {
		if len(w.sandboxes) >= MaxSandboxes {
			return nil
		}
		sb = &watched{last: map[string]time.Time{}}
		w.sandboxes[id] = sb
	}
	return sb
}

// profile returns image's profile: cached, from the store, or new.
func (w *Watcher) profile(image string) *Profile {
	w.clock++
	if c, ok := w.profiles[image]; ok {
		c.used = w.clock
		return c.p
	}
	var p *Profile
	if w.store != nil {
		var err error
		if p, err = w.store.LoadProfile(image); err != nil {
			w.errs++
			p = nil
		}
	}
	if p == nil || p.Image != image {
		p = New(image)
	}
	if len(w.profiles) >= MaxProfiles {
		oldest, at := "", w.clock
		for img, c := range w.profiles {
			if c.used < at {
				oldest, at = img, c.used
			}
		}
		delete(w.profiles, oldest)
	}
	w.profiles[image] = &cached{p: p, used: w.clock}
	return p
}

func (w *Watcher) save(p *Profile) {
	if w.store != nil && w.store.SaveProfile(p) != nil {
		w.errs++
	}
}

// process learns or checks one window of a sandbox whose image is known.
func (w *Watcher) process(sandbox string, sb *watched, win *Window, now time.Time) []Finding {
	p := w.profile(sb.image)
	var out []Finding
	for _, a := range Check(p, win, w.rules) {
		// Rate limit per rule and subject; once a sandbox has shown
		// maxSubjects subjects, further new ones share one limit per rule.
		subject := a.Rule.Name + "\x00" + a.Exec + "\x00" + a.Class.String()
		if _, ok := sb.last[subject]; !ok && len(sb.last) >= maxSubjects {
			subject = a.Rule.Name + "\x00*"
		}
		if t, ok := sb.last[subject]; ok && now.Sub(t) < w.every {
			w.limited++
			continue
		}
		sb.last[subject] = now
		f := Finding{At: now, Sandbox: sandbox, Image: sb.image, Anomaly: a}
		out = append(out, f)
		w.recent = append(w.recent, f)
		if len(w.recent) > MaxRecent {
			w.recent = w.recent[len(w.recent)-MaxRecent:]
		}
		c := w.counts[sandbox]
		if c == nil {
			c = map[string]uint64{}
			w.counts[sandbox] = c
		}
		c[a.Rule.Name]++
	}
	if p.Learn(win) {
		w.save(p)
	}
	return out
}

// Stats is what the watcher saw, for status and metrics.
type Stats struct {
	Recent  []Finding                    // the last MaxRecent findings, oldest first
	Counts  map[string]map[string]uint64 // sandbox -> rule -> findings
	Limited uint64                       // findings held back by the rate limit
	Errors  uint64                       // profile store errors
}

// Stats snapshots the watcher.
func (w *Watcher) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := Stats{Recent: append([]Finding(nil), w.recent...), Counts: map[string]map[string]uint64{}, Limited: w.limited, Errors: w.errs}
	for sb, c := range w.counts {
		m := make(map[string]uint64, len(c))
		for r, n := range c {
			m[r] = n
		}
		st.Counts[sb] = m
	}
	return st
}

// Profile returns a copy of image's profile as the watcher knows it.
func (w *Watcher) Profile(image string) Profile {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.profile(image).clone()
}

// Accept accepts anomaly subject (Anomaly.Subject) into image's profile,
// in memory and in the store, and returns the profile as it now is. An
// image with no profile yet, a bad subject or a store that cannot save it
// is an error, and the profile is unchanged.
func (w *Watcher) Accept(image, subject string) (Profile, error) {
	a, err := ParseSubject(subject)
	if err != nil {
		return Profile{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.profile(image)
	if p.Runs == 0 {
		return Profile{}, fmt.Errorf("no profile of %q yet", image)
	}
	next := p.clone()
	if err := next.Accept(a); err != nil {
		return Profile{}, err
	}
	if w.store != nil {
		if err := w.store.SaveProfile(&next); err != nil {
			return Profile{}, fmt.Errorf("saving the profile of %q: %w", image, err)
		}
	}
	*p = next
	return p.clone(), nil
}

func (win *Window) merge(o *Window) {
	for i, k := range o.Classes {
		win.Classes[i].Calls += k.Calls
		win.Classes[i].Bytes += k.Bytes
	}
	for _, x := range o.Execs {
		if len(win.Execs) < 4*summary.MaxExecs {
			win.Execs = append(win.Execs, x)
		}
	}
	win.Seconds += o.Seconds
}

func (win *Window) empty() bool {
	if len(win.Execs) > 0 {
		return false
	}
	for _, k := range win.Classes {
		if k.Calls > 0 {
			return false
		}
	}
	return true
}

// String is a finding in one line (for logs and status).
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s", f.Anomaly.Rule.Name, f.Anomaly.Evidence)
}
