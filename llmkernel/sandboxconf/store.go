package sandboxconf

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// Records keeps create-time history in small JSON files below one directory:
// images/<hash>.json per image (and its .digest), containers/<hash>.json per
// live container, the fast tier's model, and the journal of finished runs
// not yet folded into them (journal.go). Writers take a per-file flock, so concurrent
// creates do not lose each other's runs, and replace a file whole (see
// writeFile), so readers normally take no lock (see readReplaced). Nothing
// is fsynced: a lost run after a power cut costs one data point, while an
// fsync on every create costs milliseconds.
type Records struct {
	dir string
	// beforeLock, for fault injection in tests, runs in Finish between
	// opening the journal and locking it.
	beforeLock func()
}

// maxFileSize bounds every file the store reads.
const maxFileSize = 1 << 20

// Open makes the store's directories (0700) if needed.
func Open(dir string) (*Records, error) {
	return open(dir, true)
}

// OpenExisting opens the store in dir without creating it: readers (explain)
// and delete, which may run without the flags that named the directory
// (a shim's cleanup), must not leave one on the host. A missing store is an
// error wrapping fs.ErrNotExist.
func OpenExisting(dir string) (*Records, error) {
	return open(dir, false)
}

func open(dir string, create bool) (*Records, error) {
	if !create {
		if _, err := os.Stat(filepath.Join(dir, "containers")); err != nil {
			return nil, fmt.Errorf("create-time history: %w", err)
		}
		return &Records{dir: dir}, nil
	}
	for _, d := range []string{dir, filepath.Join(dir, "images"), filepath.Join(dir, "containers")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("create-time history: %w", err)
		}
	}
	return &Records{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Records) Dir() string { return s.dir }

// hashName keeps container-controlled strings out of file names.
func hashName(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16]) + ".json"
}

func (s *Records) imagePath(image string) string {
	return filepath.Join(s.dir, "images", hashName(image))
}

func (s *Records) digestPath(image string) string {
	return strings.TrimSuffix(s.imagePath(image), ".json") + ".digest"
}

func (s *Records) containerPath(id string) string {
	return filepath.Join(s.dir, "containers", hashName(id))
}

func (s *Records) modelPath() string { return filepath.Join(s.dir, llmkernel.ModelName+".bin") }

func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return err
	}
	if len(b) > maxFileSize {
		return fmt.Errorf("%s: larger than %d bytes", path, maxFileSize)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeFile replaces path with b, the caller holding path's lock: b goes to
// a temporary file, the old file is removed and the new one renamed in.
// Renaming onto an existing file would be atomic for readers, but ext4
// (auto_da_alloc, the default) then starts writing the new file's data out
// at once, and truncating one in place does the same: 0.3–1 ms per file on
// the development VM, three files per finished run, all on the command's
// wall time. Renaming onto a free name costs ~50 µs. A reader that comes in
// between the two finds no file and retries under the lock
// (readReplaced). A crash in that instant loses this one file, as a power
// cut may anyway without fsync; losing history never stops a container.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// readReplaced runs read, which reads a file writers replace with
// writeFile under lockPath's lock. It takes no lock; only if the file is
// missing does it read again holding the lock shared, since a writer may be
// between removing the old file and renaming the new one in. A file never
// written has no lock file and costs no lock.
func readReplaced(lockPath string, read func() error) error {
	err := read()
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	f, lerr := os.Open(lockPath)
	if lerr != nil {
		return err
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_SH) != nil {
		return err
	}
	return read()
}

func lockOf(path string) string { return path + ".lock" }

// locked runs fn holding an exclusive flock on path's lock file.
func locked(path string, fn func() error) error {
	f, err := os.OpenFile(lockOf(path), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	return fn()
}

// Runs returns the image's history; an image never seen has an empty one.
// A damaged file is reported and treated as empty: losing history must not
// stop a container from starting.
func (s *Records) Runs(image string) (*ImageRuns, error) {
	return s.runs(image, false)
}

// runs reads the image's history: as readReplaced does, or directly by a
// caller holding the image's lock (a shared lock would wait for itself).
func (s *Records) runs(image string, haveLock bool) (*ImageRuns, error) {
	h := &ImageRuns{Image: image}
	path := s.imagePath(image)
	read := func() error { return readJSON(path, h) }
	var err error
	if haveLock {
		err = read()
	} else {
		err = readReplaced(lockOf(path), read)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil || h.Image != image {
		return &ImageRuns{Image: image}, fmt.Errorf("create-time history of %q unreadable, starting afresh: %v", image, err)
	}
	return h, nil
}

// Digest returns what a create-time decision needs of the image's history:
// its digest file, or, if that is missing or damaged, a digest computed
// from the history itself.
func (s *Records) Digest(image string) (*Digest, error) {
	var d Digest
	// The digest is written under the image's lock.
	err := readReplaced(lockOf(s.imagePath(image)), func() error { return readJSON(s.digestPath(image), &d) })
	if err == nil && d.Image == image {
		return &d, nil
	}
	h, herr := s.Runs(image)
	d = h.Digest()
	return &d, herr
}

func (s *Records) updateHistory(image string, fn func(*ImageRuns)) error {
	path := s.imagePath(image)
	return locked(path, func() error {
		h, _ := s.runs(image, true)
		fn(h)
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		if err := writeFile(path, b); err != nil {
			return err
		}
		db, err := json.Marshal(h.Digest())
		if err != nil {
			return err
		}
		return writeFile(s.digestPath(image), db)
	})
}

// NewRun starts the record of a plan's run.
func NewRun(p *Plan, containerID string) Run {
	return Run{
		ContainerID: containerID, At: time.Now().UTC(), Profile: p.Profile, Tier: p.Decision.Tier.String(),
		Reason: p.Decision.Reason, Choices: append([]Choice(nil), p.Choices...),
		Features: p.Situation.Features, Evidence: p.Situation.Evidence,
	}
}

// Pending stores a created container's run until its outcome is known
// (delete), so that separate create/start/delete processes can finish it.
func (s *Records) Pending(image string, r Run) error {
	b, err := appendEntry(make([]byte, 0, 1024), image, &r)
	if err != nil {
		return err
	}
	// Written in place, not renamed: only this container's creator writes
	// it, and a rename costs a third of the create path's budget here.
	return os.WriteFile(s.containerPath(r.ContainerID), b, 0o600)
}

// Take returns and forgets a container's pending run.
func (s *Records) Take(containerID string) (image string, r Run, err error) {
	image, r, err = s.pending(containerID)
	if err == nil {
		os.Remove(s.containerPath(containerID))
	}
	return image, r, err
}

func (s *Records) pending(containerID string) (string, Run, error) {
	var rec journalEntry
	if err := readJSON(s.containerPath(containerID), &rec); err != nil {
		return "", Run{}, err
	}
	if rec.Run.ContainerID != containerID {
		return "", Run{}, fmt.Errorf("pending run for %q names another container", containerID)
	}
	return rec.Image, rec.Run, nil
}

// PendingTTL is how long a pending run may wait for its container's delete;
// older ones (containers deleted with another --ai-state, or lost in a host
// crash) are pruned.
const PendingTTL = 30 * 24 * time.Hour

// Prune removes pending runs older than maxAge; it returns how many.
func (s *Records) Prune(maxAge time.Duration) (int, error) {
	dir := filepath.Join(s.dir, "containers")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || time.Since(info.ModTime()) < maxAge {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n, nil
}

// Find returns a container's create-time run: the pending one while the
// container exists, else the newest in any image's history.
func (s *Records) Find(containerID string) (image string, r Run, live bool, err error) {
	if image, r, err := s.pending(containerID); err == nil {
		return image, r, true, nil
	}
	files, err := filepath.Glob(filepath.Join(s.dir, "images", "*.json"))
	if err != nil {
		return "", Run{}, false, err
	}
	var found bool
	for _, f := range files {
		var h ImageRuns
		if readReplaced(lockOf(f), func() error { return readJSON(f, &h) }) != nil {
			continue
		}
		for _, run := range h.Runs {
			if run.ContainerID == containerID && (!found || run.At.After(r.At)) {
				image, r, found = h.Image, run, true
			}
		}
	}
	if !found {
		return "", Run{}, false, fmt.Errorf("no create-time decision recorded for container %q in %s", containerID, s.dir)
	}
	return image, r, false, nil
}

// RecordFailure remembers that setting=value failed to boot image.
func (s *Records) RecordFailure(image, setting, value, why string) error {
	return s.updateHistory(image, func(h *ImageRuns) {
		if h.Failed == nil {
			h.Failed = map[string]Failure{}
		}
		h.Failed[setting+"="+value] = Failure{At: time.Now().UTC(), Error: why}
	})
}

// Complete journals a finished run and folds the journal at once: the run
// comes back scored against the image's earlier runs, and the fast tier has
// learned from it (runs that needed a fallback teach nothing about profiles:
// the failure was the platform's, and is remembered as such). Commands use
// Finish, and fold in the background.
func (s *Records) Complete(image string, r Run, pol *llmkernel.Policy) (Run, error) {
	if _, err := s.Finish(image, r); err != nil {
		return r, err
	}
	if _, err := s.Fold(pol); err != nil {
		return r, err
	}
	h, err := s.Runs(image)
	if err != nil {
		return r, err
	}
	for i := len(h.Runs) - 1; i >= 0; i-- {
		if h.Runs[i].same(&r) {
			return h.Runs[i], nil
		}
	}
	return r, fmt.Errorf("create-time history of %q: run of %s folded but not found", image, r.ContainerID)
}

// Latest is the situation of an image's newest run.
type Latest struct {
	Image     string
	Situation llmkernel.Situation
}

// Latest returns the newest run's situation of up to max images, most
// recently run first: what the deep tier refines in the background.
func (s *Records) Latest(max int) ([]Latest, error) {
	files, err := filepath.Glob(filepath.Join(s.dir, "images", "*.json"))
	if err != nil {
		return nil, err
	}
	type item struct {
		l  Latest
		at time.Time
	}
	var items []item
	for _, f := range files {
		var h ImageRuns
		if readReplaced(lockOf(f), func() error { return readJSON(f, &h) }) != nil || len(h.Runs) == 0 {
			continue
		}
		r := h.Runs[len(h.Runs)-1]
		items = append(items, item{Latest{h.Image, llmkernel.Situation{Kind: llmkernel.KindCreate, Sandbox: r.ContainerID, Image: h.Image, Features: r.Features, Evidence: len(h.succeeded())}}, r.At})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].at.After(items[j].at) })
	out := make([]Latest, 0, min(len(items), max))
	for i := 0; i < len(items) && i < max; i++ {
		out = append(out, items[i].l)
	}
	return out, nil
}

// Answered is a validated deep-tier answer for a create situation.
type Answered struct {
	Situation llmkernel.Situation
	Answer    llmkernel.Answer
}

// Distill teaches the create model validated deep-tier answers, weighted as
// the policy says, under the model's lock (so concurrent Completes are kept).
func (s *Records) Distill(pol *llmkernel.Policy, answers []Answered) error {
	if len(answers) == 0 {
		return nil
	}
	return s.updateModel(pol, func(f *llmkernel.FastTier) {
		for _, a := range answers {
			f.Distill(&a.Situation, a.Answer, pol.Fast.DistillWeight)
		}
	})
}

func (s *Records) updateModel(pol *llmkernel.Policy, fn func(*llmkernel.FastTier)) error {
	return locked(s.modelPath(), func() error {
		f := llmkernel.NewFastTier(pol.Fast.Alpha)
		b, err := os.ReadFile(s.modelPath())
		if err == nil {
			if uerr := f.Restore(b); uerr != nil {
				f = llmkernel.NewFastTier(pol.Fast.Alpha) // another build's model: start over
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		fn(f)
		nb, err := f.MarshalBinary()
		if err != nil {
			return err
		}
		return writeFile(s.modelPath(), nb)
	})
}

// ModelStore is where a create-time engine loads its fast tier from: a
// llmkernel.ModelLoader only, so the engine never saves it. Learning goes
// through Complete and Distill, under the model's lock; an engine saving
// the model it loaded could undo a concurrent Complete.
func (s *Records) ModelStore() llmkernel.ModelLoader { return modelStore{s: s} }

type modelStore struct{ s *Records }

func (m modelStore) LoadModel(name string) ([]byte, error) {
	if name != llmkernel.ModelName {
		return nil, nil
	}
	var b []byte
	path := m.s.modelPath()
	err := readReplaced(lockOf(path), func() (err error) { b, err = os.ReadFile(path); return err })
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}
