package sandboxconf

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// The journal keeps finished runs until they are folded into their image's
// history and the model. Finishing a run is then one append on the
// command's path instead of rewriting the image's history, its digest and
// the model (1.2–2.6 ms at a run's end, 2 ms at a delete). Folding is
// learning, and learning stays off the path: the agent folds every window;
// readers that must see every run (explain, decide --refine) fold first; a
// create whose image has less history than the policy's minimum evidence
// folds before deciding (an image's first runs each count); and without an
// agent, the command whose run makes the journal due (FoldDue) folds it
// after its container is done, one command in about twenty. Folding in the
// background while gVisor boots was tried: on two cores it slowed the boot
// by more than the fold costs. A create-time decision on a well-known image
// may so miss its last few runs.
//
// Appenders hold the journal shared while they write; a fold renames it to
// journal.fold, then takes it exclusively, so every append that reached the
// old file is in before it is read. An appender that finds, once it holds
// the lock, that the file it opened was taken away writes to the new one.
// A fold that dies half-way leaves journal.fold; the next fold finishes it
// first, and runs already in a history are not added twice.

const (
	journalName = "journal"
	foldingName = "journal.fold"
	// maxEntry bounds one journaled run (a Run's strings are bounded
	// where they are made; this is the backstop).
	maxEntry = 64 << 10
	// FoldDue is the journal's size at which the command that finished a
	// run folds it: about twenty runs of a few choices each.
	FoldDue = 32 << 10
)

// journalEntry is a finished run in the journal, and a pending run in
// containers/ (appendEntry writes both).
type journalEntry struct {
	Image string `json:"image"`
	Run   Run    `json:"run"`
}

func (s *Records) journalPath() string { return filepath.Join(s.dir, journalName) }
func (s *Records) foldingPath() string { return filepath.Join(s.dir, foldingName) }

// Finish journals a finished run; Fold scores it and learns from it. due
// says the journal has reached FoldDue: the caller should fold it once its
// container is done.
func (s *Records) Finish(image string, r Run) (due bool, err error) {
	b, err := appendEntry(make([]byte, 0, 1024), image, &r)
	if err != nil {
		return false, err
	}
	b = append(b, '\n')
	if len(b) > maxEntry {
		return false, fmt.Errorf("finished run of %s: %d bytes, more than %d", r.ContainerID, len(b), maxEntry)
	}
	path := s.journalPath()
	for range 8 {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return false, fmt.Errorf("journal: %w", err)
		}
		if s.beforeLock != nil {
			s.beforeLock()
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
			f.Close()
			return false, fmt.Errorf("lock %s: %w", path, err)
		}
		var held, now syscall.Stat_t
		if syscall.Fstat(int(f.Fd()), &held) != nil || syscall.Stat(path, &now) != nil || held.Ino != now.Ino || held.Dev != now.Dev {
			f.Close() // a fold took this file away: append to the new one
			continue
		}
		if held.Size+int64(len(b)) > maxFileSize {
			f.Close()
			return true, fmt.Errorf("journal %s: full (%d bytes): nothing has folded it", path, held.Size)
		}
		_, werr := f.Write(b)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return held.Size+int64(len(b)) >= FoldDue, werr
	}
	return false, fmt.Errorf("journal %s: replaced 8 times while appending", path)
}

// Journaled says whether runs wait in the journal to be folded.
func (s *Records) Journaled() bool {
	st, err := os.Stat(s.journalPath())
	if err == nil && st.Size() > 0 {
		return true
	}
	_, err = os.Stat(s.foldingPath())
	return err == nil
}

// Fold moves every journaled run into its image's history (scored against
// the runs before it, as Complete does) and teaches the model, waiting for
// a fold already under way. It returns how many runs it added.
func (s *Records) Fold(pol *llmkernel.Policy) (int, error) {
	lock, err := os.OpenFile(s.foldingPath()+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return 0, fmt.Errorf("lock %s: %w", s.foldingPath(), err)
	}
	total := 0
	var errs []error
	// A fold that died leaves journal.fold: finish it, then take the journal.
	for range 2 {
		if _, err := os.Stat(s.foldingPath()); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(s.journalPath(), s.foldingPath()); errors.Is(err, fs.ErrNotExist) {
				break
			} else if err != nil {
				return total, fmt.Errorf("journal: %w", err)
			}
		}
		entries, err := s.takeFolding()
		if err != nil {
			errs = append(errs, err)
		}
		n, err := s.apply(pol, entries)
		total += n
		if err != nil {
			// Left for the next fold; what was added is not added twice.
			return total, errors.Join(append(errs, err)...)
		}
		if err := os.Remove(s.foldingPath()); err != nil {
			return total, fmt.Errorf("journal: %w", err)
		}
	}
	return total, errors.Join(errs...)
}

// takeFolding reads journal.fold once every appender that opened it is done.
// Lines that do not parse are skipped and reported.
func (s *Records) takeFolding() ([]journalEntry, error) {
	f, err := os.Open(s.foldingPath())
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("lock %s: %w", s.foldingPath(), err)
	}
	sc := bufio.NewScanner(io.LimitReader(f, maxFileSize))
	sc.Buffer(make([]byte, 0, 4096), maxEntry)
	var out []journalEntry
	bad := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e journalEntry
		if json.Unmarshal(line, &e) != nil || e.Image == "" || e.Run.ContainerID == "" {
			bad++
			continue
		}
		out = append(out, e)
	}
	err = sc.Err()
	if bad > 0 {
		err = errors.Join(err, fmt.Errorf("journal %s: %d damaged entries skipped", s.foldingPath(), bad))
	}
	if err != nil {
		return out, fmt.Errorf("journal: %w", err)
	}
	return out, nil
}

// apply adds the entries to their images' histories, in journal order, and
// teaches the model the runs it added that booted as decided.
func (s *Records) apply(pol *llmkernel.Policy, entries []journalEntry) (int, error) {
	var images []string
	byImage := map[string][]Run{}
	for _, e := range entries {
		if _, seen := byImage[e.Image]; !seen {
			images = append(images, e.Image)
		}
		byImage[e.Image] = append(byImage[e.Image], e.Run)
	}
	type learned struct {
		sit    llmkernel.Situation
		action llmkernel.Action
		reward float64
	}
	var learn []learned
	var errs []error
	added := 0
	for _, image := range images {
		err := s.updateHistory(image, func(h *ImageRuns) {
			for _, r := range byImage[image] {
				if h.has(&r) {
					continue
				}
				o := h.outcome(&r)
				reward := pol.Goal.Reward(o)
				r.Reward = &reward
				h.add(r)
				added++
				if r.Failed != "" {
					continue
				}
				a, err := llmkernel.ParseAction(llmkernel.KindCreate, r.Profile)
				if err != nil {
					errs = append(errs, fmt.Errorf("run of %s: %w", r.ContainerID, err))
					continue
				}
				learn = append(learn, learned{
					llmkernel.Situation{Kind: llmkernel.KindCreate, Sandbox: r.ContainerID, Image: image, Features: r.Features, Evidence: r.Evidence},
					a, reward})
			}
		})
		if err != nil {
			return added, fmt.Errorf("create-time history: %w", err)
		}
	}
	if len(learn) > 0 {
		err := s.updateModel(pol, func(f *llmkernel.FastTier) {
			for i := range learn {
				f.Update(&learn[i].sit, learn[i].action, learn[i].reward, 1)
			}
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("create-time model: %w", err))
		}
	}
	return added, errors.Join(errs...)
}

// Tidy is the upkeep done off the create path (the agent's window, the
// command that makes the journal due): Fold, then forget pending runs whose
// delete never came.
func (s *Records) Tidy(pol *llmkernel.Policy) (int, error) {
	n, err := s.Fold(pol)
	if _, perr := s.Prune(PendingTTL); perr != nil && !errors.Is(perr, fs.ErrNotExist) {
		err = errors.Join(err, fmt.Errorf("pruning pending runs: %w", perr))
	}
	return n, err
}
