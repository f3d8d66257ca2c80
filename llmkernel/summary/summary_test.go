package summary

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func sample() *Summary {
	s := &Summary{Sandbox: "sb-1", Seq: 1, UnixNano: 1, WindowMs: 1000}
	c := Container{ID: "c1", Execs: []string{"sh"}}
	c.Classes[FileIO] = Count{Calls: 10, Bytes: 70}
	s.Containers = append(s.Containers, c)
	return s
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	b, err := Encode(sample())
	if err != nil {
		t.Fatal(err)
	}
	if b[len(b)-1] != '\n' {
		t.Fatal("no newline")
	}
	s, err := Decode(b[:len(b)-1])
	if err != nil {
		t.Fatal(err)
	}
	if s.Containers[0].Classes[FileIO] != (Count{10, 70}) || s.Containers[0].Total() != 10 {
		t.Errorf("round trip: %+v", s)
	}
}

func TestEncodeTruncatesToPipeBuf(t *testing.T) {
	s := sample()
	for i := 0; i < 200; i++ {
		c := Container{ID: strings.Repeat("x", 100) + string(rune('a'+i%26))}
		c.Classes[Other] = Count{Calls: 1 << 60}
		s.Containers = append(s.Containers, c)
	}
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > MaxSize || s.Truncated == 0 {
		t.Errorf("%d bytes, truncated %d", len(b), s.Truncated)
	}
}

func TestDecodeRejectsHostileInput(t *testing.T) {
	for name, line := range map[string]string{
		"bad id":         `{"s":"../etc","q":1,"t":1,"w":1000}`,
		"long id":        `{"s":"` + strings.Repeat("a", MaxIDLen+1) + `","q":1,"t":1,"w":1000}`,
		"zero seq":       `{"s":"a","q":0,"t":1,"w":1000}`,
		"huge window":    `{"s":"a","q":1,"t":1,"w":4000000}`,
		"unknown field":  `{"s":"a","q":1,"t":1,"w":1000,"evil":1}`,
		"negative":       `{"s":"a","q":1,"t":1,"w":1000,"c":[{"id":"c","k":[{"c":-1}]}]}`,
		"container id":   `{"s":"a","q":1,"t":1,"w":1000,"c":[{"id":"c d"}]}`,
		"too many execs": `{"s":"a","q":1,"t":1,"w":1000,"c":[{"id":"c","x":["a","b","c","d","e"]}]}`,
		"oversized":      strings.Repeat(" ", MaxSize+1),
		"trailing data":  `{"s":"a","q":1,"t":1,"w":1000}{"s":"b","q":1,"t":1,"w":1000}`,
		"twice":          `{"s":"a","q":1,"t":1,"w":1000,"c":[{"id":"c"},{"id":"c"}]}`,
	} {
		if _, err := Decode([]byte(line)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	s, err := Decode([]byte(`{"s":"a","q":1,"t":1,"w":1000,"c":[{"id":"c","x":["/usr/bin/\u001b[31mevil` + strings.Repeat("z", 100) + `"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if x := s.Containers[0].Execs[0]; len(x) > MaxExecLen || strings.ContainsAny(x, "\x1b/") {
		t.Errorf("exec name not cleaned: %q", x)
	}
}

func TestRules(t *testing.T) {
	if r := RuleFor("pwrite64"); r.Class != FileIO || r.Bytes != RetBytes {
		t.Errorf("pwrite64: %+v", r)
	}
	if r := RuleFor("mmap"); r.Class != Memory || r.Bytes != Arg1Bytes {
		t.Errorf("mmap: %+v", r)
	}
	if RuleFor("getpid").Class != Other || !RuleFor("execve").Exec || !RuleFor("futex").Futex {
		t.Error("getpid/execve/futex rules")
	}
	if FutexClass(0|128) != Blocking || FutexClass(1|128) != Wakeups || FutexClass(9) != Blocking || FutexClass(10) != Wakeups {
		t.Error("futex classes")
	}
}

// The reader against a real FIFO: complete lines, a line split across
// writes, a bad line, and a FIFO that goes away.
func TestReaderFIFO(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sb-1.fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	r := NewReader(dir)
	defer r.Close()
	if s, errs := r.Poll(); len(s) != 0 || len(errs) != 0 || r.Open() != 1 {
		t.Fatalf("empty FIFO: %v %v open=%d", s, errs, r.Open())
	}
	w, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := Encode(sample())
	w.Write(line)
	w.Write([]byte("not json\n"))
	w.Write(line[:10])
	s, errs := r.Poll()
	if len(s) != 1 || len(errs) != 1 {
		t.Fatalf("got %d summaries, errors %v", len(s), errs)
	}
	w.Write(line[10:])
	if s, _ := r.Poll(); len(s) != 1 {
		t.Fatalf("split line: %d summaries", len(s))
	}
	w.Close()
	os.Remove(path)
	r.Poll()
	if r.Open() != 0 {
		t.Errorf("removed FIFO still open")
	}
}

// Lines written into one sandbox's FIFO that claim another sandbox are
// dropped and counted; the FIFO's own sandbox is read as before.
func TestReaderBindsLinesToTheirFIFO(t *testing.T) {
	dir := t.TempDir()
	r := NewReader(dir)
	defer r.Close()
	var ws []*os.File
	for _, id := range []string{"victim", "attacker"} {
		path := filepath.Join(dir, id+".fifo")
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatal(err)
		}
		r.Poll() // opens it
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		ws = append(ws, w)
	}
	forged := sample()
	forged.Sandbox, forged.Seq = "victim", 99
	line, _ := Encode(forged)
	ws[1].Write(line) // into the attacker's FIFO
	own := sample()
	own.Sandbox = "attacker"
	line, _ = Encode(own)
	ws[1].Write(line)
	real := sample()
	real.Sandbox = "victim"
	line, _ = Encode(real)
	ws[0].Write(line)
	sums, errs := r.Poll()
	got := map[string]uint64{}
	for _, s := range sums {
		got[s.Sandbox] = s.Seq
	}
	if len(sums) != 2 || got["victim"] != 1 || got["attacker"] != 1 {
		t.Errorf("summaries %v: want the victim's own (seq 1) and the attacker's", got)
	}
	if r.Foreign != 1 || len(errs) != 1 || !errors.Is(errs[0], ErrForeign) {
		t.Errorf("foreign %d, errors %v", r.Foreign, errs)
	}
}

// FuzzDecodeFrom: any line from any FIFO either decodes into a valid
// summary of that FIFO's sandbox, within every bound, or is an error.
func FuzzDecodeFrom(f *testing.F) {
	line, _ := Encode(sample())
	f.Add("sb-1", line)
	f.Add("other", line)
	f.Add("sb-1", []byte(`{"s":"sb-1","q":1,"t":1,"w":1000,"c":[{"id":"c","x":["a"]}]} x`))
	f.Fuzz(func(t *testing.T, fifo string, b []byte) {
		s, err := DecodeFrom(fifo, b)
		if err != nil {
			return
		}
		if s.Sandbox != fifo || ValidID(s.Sandbox) != nil || len(s.Containers) > MaxContainers || s.Seq == 0 {
			t.Fatalf("accepted %+v from %q", s, fifo)
		}
		for _, c := range s.Containers {
			if ValidID(c.ID) != nil || len(c.Execs) > MaxExecs {
				t.Fatalf("container %+v", c)
			}
			for _, x := range c.Execs {
				if len(x) > MaxExecLen || strings.ContainsAny(x, "/\n\x00") {
					t.Fatalf("exec %q", x)
				}
			}
		}
	})
}

// Every class has a name; the privileged-operation rules count refusals
// as bytes; socket(2) is classed by family.
func TestSecurityRules(t *testing.T) {
	for c := Class(0); c < NumClasses; c++ {
		if c.String() == "" || strings.HasPrefix(c.String(), "class(") {
			t.Errorf("class %d has no name", c)
		}
	}
	for name, want := range map[string]Class{"ptrace": Ptrace, "mount": Mount, "pivot_root": Mount, "setns": Namespace,
		"unshare": Namespace, "bpf": BPF, "perf_event_open": BPF, "init_module": Module, "finit_module": Module,
		"kexec_load": Module, "keyctl": Keys, "personality": Privileged, "process_vm_readv": Ptrace} {
		if r := RuleFor(name); r.Class != want || r.Bytes != Refusals || !r.Class.Sensitive() {
			t.Errorf("%s: %+v, want class %s counting refusals", name, r, want)
		}
	}
	if !RuleFor("socket").Socket || RuleFor("connect").Class != Network || RuleFor("getpid").Class.Sensitive() {
		t.Error("socket/connect/getpid rules")
	}
	for dom, want := range map[uint64]Class{2: SockInet, 10: SockInet, 1: SockUnix, 16: SockNetlink, 17: SockOther, 99: SockOther} {
		if got := SocketClass(dom); got != want {
			t.Errorf("family %d: %s, want %s", dom, got, want)
		}
	}
}

// The format grows compatibly: an agent of the previous version (seven
// classes, unknown fields refused) reads a summary of this tap, and this
// agent reads the previous tap's summaries, the newer classes zero.
func TestFormatCompatibility(t *testing.T) {
	// The previous version's types and Decode, as they were.
	type oldContainer struct {
		ID           string   `json:"id"`
		Classes      [7]Count `json:"k"`
		Execs        []string `json:"x,omitempty"`
		ExecsDropped uint64   `json:"xd,omitempty"`
	}
	type oldSummary struct {
		Sandbox    string         `json:"s"`
		Seq        uint64         `json:"q"`
		UnixNano   int64          `json:"t"`
		WindowMs   uint32         `json:"w"`
		Dropped    uint64         `json:"d"`
		Truncated  uint64         `json:"tr,omitempty"`
		Containers []oldContainer `json:"c,omitempty"`
	}
	s := sample()
	s.Containers[0].Classes[Other] = Count{Calls: 5}
	s.Containers[0].Classes[Mount] = Count{Calls: 2, Bytes: 2}
	s.Containers[0].Classes[SockOther] = Count{Calls: 1}
	line, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	var old oldSummary
	if err := dec.Decode(&old); err != nil {
		t.Fatalf("the previous agent refuses this tap's summary: %v\n%s", err, line)
	}
	if old.Containers[0].Classes[FileIO] != (Count{10, 70}) || old.Containers[0].Classes[Other] != (Count{Calls: 5}) || old.Containers[0].Execs[0] != "sh" {
		t.Errorf("the previous agent reads %+v", old.Containers[0])
	}
	prev, err := json.Marshal(&oldSummary{Sandbox: "sb-1", Seq: 3, UnixNano: 1, WindowMs: 1000,
		Containers: []oldContainer{{ID: "c1", Classes: [7]Count{FileIO: {Calls: 4, Bytes: 8}, Other: {Calls: 1}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(prev)
	if err != nil {
		t.Fatalf("the previous tap's summary: %v", err)
	}
	c := got.Containers[0]
	if c.Classes[FileIO] != (Count{4, 8}) || c.Classes[Other] != (Count{Calls: 1}) || c.Classes[Mount] != (Count{}) || c.Total() != 5 {
		t.Errorf("the previous tap's summary reads %+v", c)
	}
}

func TestSelfExec(t *testing.T) {
	for path, want := range map[string]bool{"/proc/self/exe": true, "/proc/42/exe": true, "/dev/fd/3": true, "/proc/self/fd/4": true,
		"/bin/sh": false, "/proc/self/exe/x": false, "/proc/exe": false, "exe": false} {
		if SelfExec(path) != want {
			t.Errorf("%s: %v", path, !want)
		}
	}
}
