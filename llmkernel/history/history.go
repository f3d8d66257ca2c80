// Package history persists the decision engine's decisions, outcomes and
// learned parameters in an embedded bbolt database, so learning survives
// restarts. A corrupt database is moved aside (never deleted) and reported;
// the engine then starts from an empty history instead of crashing.
package history

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"runtime/debug"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/go-os-agent/runsc-ai/llmkernel"
	"github.com/go-os-agent/runsc-ai/llmkernel/profile"
)

var (
	bucketDecisions = []byte("decisions")
	bucketOutcomes  = []byte("outcomes")
	bucketModels    = []byte("models")
	bucketBySandbox = []byte("by-sandbox") // sandbox\x00kind\x00id -> id
	bucketProfiles  = []byte("profiles")   // image key -> behaviour profile (JSON)
)

// maxDecisions bounds the database: older decisions are pruned, with their
// outcomes and index entries, so every bucket stays within it.
const maxDecisions = 100_000

// DB is the decision history in a bbolt file: decisions, outcomes, learned
// models and the changes the guardrails must remember.
type DB struct {
	db   *bolt.DB
	path string
	// max is maxDecisions; tests lower it.
	max int
}

// ErrCorrupt is wrapped by the error Open returns after moving a corrupt
// database aside; the Store it returns alongside is usable and empty.
var ErrCorrupt = errors.New("history database was corrupt")

// Open opens or creates the database at path. If the file is not a valid
// bbolt database it is renamed to path.corrupt-<time>, a fresh database is
// created, and both the Store and an error wrapping ErrCorrupt (naming where
// the old file went) are returned.
func Open(path string) (*DB, error) {
	s, err := open(path)
	if err == nil {
		return s, nil
	}
	if !isCorrupt(err) {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405Z"))
	if rerr := os.Rename(path, aside); rerr != nil {
		return nil, fmt.Errorf("history %s is corrupt (%v) and could not be moved aside: %w", path, err, rerr)
	}
	s, oerr := open(path)
	if oerr != nil {
		return nil, fmt.Errorf("history %s: %w", path, oerr)
	}
	return s, fmt.Errorf("%w: %s: %v; moved to %s, starting a new history", ErrCorrupt, path, err, aside)
}

// errPanicked marks an error made from a panic inside bbolt: bbolt panics
// on damaged pages ("invalid freelist page", "unreachable"), which is a
// corrupt file, never a reason to crash the agent.
var errPanicked = errors.New("invalid database (bbolt panicked)")

// guard runs f, turning a bbolt panic — or a fault on its memory map —
// into an error.
func guard(f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	return f()
}

func open(path string) (*DB, error) {
	return openWith(path, &bolt.Options{Timeout: 2 * time.Second})
}

// openWith opens path and checks every page before anything trusts it, so a
// truncated or damaged file is found here, not by a panic later.
func openWith(path string, opts *bolt.Options) (*DB, error) {
	// A file shorter than its meta page says is truncated: mapping it and
	// reading past its end would fault.
	if err := checkSize(path); err != nil {
		return nil, err
	}
	// The timeout keeps a second runsc-ai from hanging on the file lock.
	var db *bolt.DB
	err := guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = guard(func() error {
		return db.View(func(tx *bolt.Tx) error {
			for cerr := range tx.Check() {
				return fmt.Errorf("invalid page: %w", cerr)
			}
			return nil
		})
	})
	if err == nil && !opts.ReadOnly {
		err = guard(func() error {
			return db.Update(func(tx *bolt.Tx) error {
				for _, b := range [][]byte{bucketDecisions, bucketOutcomes, bucketModels, bucketBySandbox, bucketProfiles} {
					if _, err := tx.CreateBucketIfNotExists(b); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	if err != nil {
		guard(db.Close)
		return nil, err
	}
	return &DB{db: db, path: path, max: maxDecisions}, nil
}

// checkSize reads bbolt's two meta pages and refuses a file shorter than
// the valid one (newest transaction) says it is, or with no valid meta.
// A missing or empty file is fine: bbolt creates it.
func checkSize(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	const hdr, metaLen = 16, 64 // page header; meta up to and with its checksum
	var best struct {
		ok          bool
		txid, pages uint64
		pageSize    uint32
	}
	b := make([]byte, hdr+metaLen)
	ps := int64(4096)
	for i := int64(0); i < 2; i++ {
		if _, err := f.ReadAt(b, i*ps); err != nil {
			continue
		}
		m := b[hdr:]
		le := binary.LittleEndian
		if le.Uint32(m) != 0xED0CDAED || le.Uint32(m[4:]) != 2 {
			continue
		}
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != le.Uint64(m[56:]) {
			continue
		}
		pageSize := le.Uint32(m[8:])
		if i == 0 && pageSize >= 512 && pageSize <= 1<<16 {
			ps = int64(pageSize)
		}
		if txid := le.Uint64(m[48:]); !best.ok || txid > best.txid {
			best.ok, best.txid, best.pages, best.pageSize = true, txid, le.Uint64(m[40:]), pageSize
		}
	}
	if !best.ok {
		return fmt.Errorf("%w: no valid meta page", bolt.ErrInvalid)
	}
	if need := best.pages * uint64(best.pageSize); best.pageSize == 0 || need > uint64(st.Size()) || best.pages > 1<<40 {
		return fmt.Errorf("%w: file of %d bytes, its meta page says %d pages of %d: truncated", bolt.ErrInvalid, st.Size(), best.pages, best.pageSize)
	}
	return nil
}

// view and update are bbolt's, with panics (a page damaged after Open)
// returned as errors.
func (s *DB) view(f func(*bolt.Tx) error) error {
	return guard(func() error { return s.db.View(f) })
}

func (s *DB) update(f func(*bolt.Tx) error) error {
	return guard(func() error { return s.db.Update(f) })
}

func (s *DB) batch(f func(*bolt.Tx) error) error {
	return guard(func() error { return s.db.Batch(f) })
}

// isCorrupt tells a damaged file from an operational error (permissions,
// lock timeout), which must not cause the file to be moved.
func isCorrupt(err error) bool {
	if errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrNotExist) || errors.Is(err, bolt.ErrTimeout) {
		return false
	}
	return errors.Is(err, errPanicked) || errors.Is(err, bolt.ErrInvalid) || errors.Is(err, bolt.ErrVersionMismatch) || errors.Is(err, bolt.ErrChecksum) ||
		bytes.Contains([]byte(err.Error()), []byte("invalid")) || bytes.Contains([]byte(err.Error()), []byte("file size too small")) ||
		bytes.Contains([]byte(err.Error()), []byte("out of range")) || bytes.Contains([]byte(err.Error()), []byte("unexpected EOF"))
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

func idKey(id uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], id)
	return b[:]
}

func sandboxKey(sandbox string, kind string, id uint64) []byte {
	k := make([]byte, 0, len(sandbox)+len(kind)+10)
	k = append(k, sandbox...)
	k = append(k, 0)
	k = append(k, kind...)
	k = append(k, 0)
	return append(k, idKey(id)...)
}

// PutDecision implements llmkernel.Recorder.
func (s *DB) PutDecision(r llmkernel.DecisionRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.batch(func(tx *bolt.Tx) error {
		d := tx.Bucket(bucketDecisions)
		added := d.Get(idKey(r.ID)) == nil
		if err := d.Put(idKey(r.ID), b); err != nil {
			return err
		}
		if err := tx.Bucket(bucketBySandbox).Put(sandboxKey(r.Sandbox, r.Kind, r.ID), idKey(r.ID)); err != nil {
			return err
		}
		// Stats counts what is on pages, not this transaction's put.
		if n := d.Stats().KeyN; added && n+1 > s.max {
			return prune(tx, n+1-s.max)
		}
		return nil
	})
}

// prune drops the excess oldest decisions, each with its outcome and its
// index entry, and then outcomes whose decision is gone.
func prune(tx *bolt.Tx, excess int) error {
	d, outc, idx := tx.Bucket(bucketDecisions), tx.Bucket(bucketOutcomes), tx.Bucket(bucketBySandbox)
	c := d.Cursor()
	for k, v := c.First(); k != nil && excess > 0; k, v = c.First() {
		var r llmkernel.DecisionRecord
		if json.Unmarshal(v, &r) == nil {
			if err := idx.Delete(sandboxKey(r.Sandbox, r.Kind, r.ID)); err != nil {
				return err
			}
		}
		if err := outc.Delete(k); err != nil {
			return err
		}
		if err := c.Delete(); err != nil {
			return err
		}
		excess--
	}
	// Outcomes older than the oldest decision kept belong to none.
	if first, _ := d.Cursor().First(); first != nil {
		oc := outc.Cursor()
		for k, _ := oc.First(); k != nil && bytes.Compare(k, first) < 0; k, _ = oc.First() {
			if err := oc.Delete(); err != nil {
				return err
			}
		}
	}
	return nil
}

type outcomeRecord struct {
	llmkernel.Outcome
	Reward float64 `json:"reward"`
}

// PutOutcome implements llmkernel.Recorder.
func (s *DB) PutOutcome(id uint64, o llmkernel.Outcome, reward float64) error {
	b, err := json.Marshal(outcomeRecord{o, reward})
	if err != nil {
		return err
	}
	return s.batch(func(tx *bolt.Tx) error {
		// The outcome of a decision already pruned is not kept.
		if first, _ := tx.Bucket(bucketDecisions).Cursor().First(); first != nil && bytes.Compare(idKey(id), first) < 0 {
			return nil
		}
		return tx.Bucket(bucketOutcomes).Put(idKey(id), b)
	})
}

// SaveModel implements llmkernel.ModelSaver.
func (s *DB) SaveModel(name string, b []byte) error {
	return s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketModels).Put([]byte(name), b) })
}

// maxProfile bounds a stored profile's encoding: a profile is bounded
// (profile.MaxExecs names of at most 64 bytes), so a larger value is damage.
const maxProfile = 64 << 10

// SaveProfile implements profile.Store.
func (s *DB) SaveProfile(p *profile.Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if len(b) > maxProfile || p.Image == "" || len(p.Image) > llmkernel.MaxImageKey {
		return fmt.Errorf("history: profile of %q: %d bytes, image key of %d", trimKey(p.Image), len(b), len(p.Image))
	}
	return s.batch(func(tx *bolt.Tx) error { return tx.Bucket(bucketProfiles).Put([]byte(p.Image), b) })
}

// LoadProfile implements profile.Store (nil, nil: none yet).
func (s *DB) LoadProfile(image string) (*profile.Profile, error) {
	var p *profile.Profile
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		if b == nil {
			return nil // a history written before profiles, opened read-only
		}
		v := b.Get([]byte(image))
		if v == nil {
			return nil
		}
		var q profile.Profile
		if len(v) > maxProfile || json.Unmarshal(v, &q) != nil || q.Image != image || len(q.Execs) > profile.MaxExecs {
			return fmt.Errorf("history: profile of %q is damaged", trimKey(image))
		}
		p = &q
		return nil
	})
	return p, err
}

// Profiles lists every stored profile, by image (damaged ones skipped).
func (s *DB) Profiles() ([]profile.Profile, error) {
	var out []profile.Profile
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketProfiles)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var q profile.Profile
			if len(v) <= maxProfile && json.Unmarshal(v, &q) == nil && q.Image == string(k) && len(q.Execs) <= profile.MaxExecs {
				out = append(out, q)
			}
			return nil
		})
	})
	return out, err
}

func trimKey(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// LoadModel implements llmkernel.ModelLoader.
func (s *DB) LoadModel(name string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketModels).Get([]byte(name)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// Recent implements llmkernel.HistoryReader: the last max decisions of kind k for a
// sandbox, oldest first, with rewards where outcomes are in.
func (s *DB) Recent(sandbox string, k llmkernel.Kind, max int) ([]llmkernel.HistoryEntry, error) {
	var out []llmkernel.HistoryEntry
	prefix := sandboxKey(sandbox, k.String(), 0)
	prefix = prefix[:len(prefix)-8]
	err := s.view(func(tx *bolt.Tx) error {
		idx, dec, outc := tx.Bucket(bucketBySandbox).Cursor(), tx.Bucket(bucketDecisions), tx.Bucket(bucketOutcomes)
		// Seek past the prefix, then walk back: newest first.
		end := append(append([]byte(nil), prefix...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		k, v := idx.Seek(end)
		if k == nil {
			k, v = idx.Last()
		} else {
			k, v = idx.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < max; k, v = idx.Prev() {
			raw := dec.Get(v)
			if raw == nil {
				continue // pruned
			}
			var r llmkernel.DecisionRecord
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("decision %x: %w", v, err)
			}
			e := llmkernel.HistoryEntry{At: r.At, Action: r.Action, Tier: r.Tier}
			if o := outc.Get(v); o != nil {
				var or outcomeRecord
				if json.Unmarshal(o, &or) == nil {
					e.Reward = &or.Reward
				}
			}
			out = append(out, e)
		}
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// Decisions returns the last n decision records, newest last (for explain).
func (s *DB) Decisions(n int) ([]llmkernel.DecisionRecord, error) {
	var out []llmkernel.DecisionRecord
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDecisions).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var r llmkernel.DecisionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append([]llmkernel.DecisionRecord{r}, out...)
		}
		return nil
	})
	return out, err
}

// ErrNoDecision: no decision has the ID (never made, or pruned since).
var ErrNoDecision = errors.New("no such decision")

// Decision returns the record of decision id.
func (s *DB) Decision(id uint64) (llmkernel.DecisionRecord, error) {
	var r llmkernel.DecisionRecord
	err := s.view(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketDecisions).Get(idKey(id))
		if raw == nil {
			return fmt.Errorf("decision %d: %w", id, ErrNoDecision)
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("decision %d: %w", id, err)
		}
		return nil
	})
	return r, err
}

// Explained is a decision with its measured outcome, once it is in.
type Explained struct {
	llmkernel.DecisionRecord
	Outcome *llmkernel.Outcome `json:"outcome,omitempty"`
	Reward  *float64           `json:"reward,omitempty"`
}

// ForSandbox returns a sandbox's last n decisions of every kind, oldest
// first, with outcomes where they are in.
func (s *DB) ForSandbox(sandbox string, n int) ([]Explained, error) {
	var out []Explained
	prefix := append([]byte(sandbox), 0)
	err := s.view(func(tx *bolt.Tx) error {
		idx, dec, outc := tx.Bucket(bucketBySandbox).Cursor(), tx.Bucket(bucketDecisions), tx.Bucket(bucketOutcomes)
		for k, v := idx.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = idx.Next() {
			raw := dec.Get(v)
			if raw == nil {
				continue // pruned
			}
			var e Explained
			if err := json.Unmarshal(raw, &e.DecisionRecord); err != nil {
				return fmt.Errorf("decision %x: %w", v, err)
			}
			if o := outc.Get(v); o != nil {
				var or outcomeRecord
				if json.Unmarshal(o, &or) == nil {
					e.Outcome, e.Reward = &or.Outcome, &or.Reward
				}
			}
			out = append(out, e)
		}
		return nil
	})
	// IDs grow with time across kinds and restarts.
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out, err
}

// OpenReadOnly opens an existing database for reading, e.g. while no agent
// holds it.
// A damaged file is an error wrapping ErrCorrupt (and is left where it is).
func OpenReadOnly(path string) (*DB, error) {
	s, err := openWith(path, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		if isCorrupt(err) {
			return nil, fmt.Errorf("history %s: %w: %w", path, ErrCorrupt, err)
		}
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	return s, nil
}

// maxChangeScan bounds how many decisions RecentChanges reads.
const maxChangeScan = 20_000

// RecentChanges implements llmkernel.ChangeHistory: the changes applied (or
// being applied) since since, newest first. Decision IDs grow with time
// across restarts, so the walk stops at the first older record.
func (s *DB) RecentChanges(since time.Time) ([]llmkernel.Change, error) {
	var out []llmkernel.Change
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDecisions).Cursor()
		n := 0
		for k, v := c.Last(); k != nil && n < maxChangeScan; k, v = c.Prev() {
			n++
			var r llmkernel.DecisionRecord
			if json.Unmarshal(v, &r) != nil {
				continue
			}
			if r.At.Before(since) {
				break
			}
			if ch, ok := llmkernel.ChangeOf(&r); ok {
				out = append(out, ch)
			}
		}
		return nil
	})
	return out, err
}
