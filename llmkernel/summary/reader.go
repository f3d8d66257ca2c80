package summary

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxReadPerPoll bounds what one Poll reads from one FIFO: a sandbox that
// floods cannot grow the reader or starve the others.
const maxReadPerPoll = 16 * MaxSize

// Reader reads the summaries the sandboxes' taps write to FIFOs in one
// directory (<sandbox>.fifo). A line is only accepted for the sandbox its
// FIFO is named after. It opens new FIFOs as they appear and forgets
// removed ones; summaries written while no reader ran wait in the pipe (up
// to its capacity), so a restarted agent resumes where the pipe holds.
type Reader struct {
	dir   string
	files map[string]*fifo
	// Foreign counts lines dropped because they claimed a sandbox other
	// than their FIFO's.
	Foreign uint64
	// MaxFIFOs bounds the FIFOs read at once; more are left unread and
	// counted in Poll's errors.
	MaxFIFOs int
}

// fifo is a raw non-blocking descriptor: an *os.File would put the pipe in
// Go's poller, whose Read waits for data instead of returning EAGAIN.
type fifo struct {
	fd      int
	partial []byte // an incomplete line, at most MaxSize
}

// NewReader reads FIFOs in dir.
func NewReader(dir string) *Reader {
	return &Reader{dir: dir, files: map[string]*fifo{}, MaxFIFOs: 4096}
}

// Close closes every FIFO.
func (r *Reader) Close() {
	for name, f := range r.files {
		syscall.Close(f.fd)
		delete(r.files, name)
	}
}

// Open is how many FIFOs the reader holds open.
func (r *Reader) Open() int { return len(r.files) }

// Poll reads what every FIFO holds now, without blocking. Bad lines are
// returned as errors naming the FIFO; good ones as summaries.
func (r *Reader) Poll() ([]*Summary, []error) {
	var out []*Summary
	var errs []error
	entries, err := os.ReadDir(r.dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, []error{fmt.Errorf("tap directory: %w", err)}
	}
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".fifo") || e.Type()&os.ModeNamedPipe == 0 {
			continue
		}
		present[name] = true
		if _, ok := r.files[name]; ok {
			continue
		}
		if len(r.files) >= r.MaxFIFOs {
			errs = append(errs, fmt.Errorf("%s: not read, %d FIFOs open already", name, len(r.files)))
			continue
		}
		// Non-blocking, read-only: opening never waits for a writer.
		fd, err := syscall.Open(filepath.Join(r.dir, name), syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		r.files[name] = &fifo{fd: fd}
	}
	for name, ff := range r.files {
		if !present[name] {
			syscall.Close(ff.fd)
			delete(r.files, name)
			continue
		}
		s, e := ff.read(name)
		for _, err := range e {
			if errors.Is(err, ErrForeign) {
				r.Foreign++
			}
		}
		out = append(out, s...)
		errs = append(errs, e...)
	}
	return out, errs
}

func (ff *fifo) read(name string) ([]*Summary, []error) {
	var out []*Summary
	var errs []error
	buf := make([]byte, MaxSize)
	for total := 0; total < maxReadPerPoll; {
		n, err := syscall.Read(ff.fd, buf)
		if n < 0 {
			n = 0
		}
		total += n
		data := buf[:n]
		for len(data) > 0 {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				if len(ff.partial)+len(data) > MaxSize {
					errs = append(errs, fmt.Errorf("%s: line longer than %d bytes, dropped", name, MaxSize))
					ff.partial = ff.partial[:0]
				} else {
					ff.partial = append(ff.partial, data...)
				}
				break
			}
			line := data[:i]
			if len(ff.partial) > 0 {
				line = append(ff.partial, line...)
				ff.partial = ff.partial[:0]
			}
			data = data[i+1:]
			s, derr := DecodeFrom(strings.TrimSuffix(name, ".fifo"), line)
			if derr != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, derr))
				continue
			}
			out = append(out, s)
		}
		if err != nil || n == 0 {
			break // EAGAIN: empty for now; EOF: no writer at the moment
		}
	}
	return out, errs
}
