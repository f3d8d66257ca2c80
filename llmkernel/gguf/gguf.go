// Package gguf reads GGUF model files (versions 2 and 3), the format
// llama.cpp and ollama store models in: typed metadata and tensors, the
// tensor data memory-mapped read-only so that weights live in the page
// cache, not on the Go heap.
//
// A model file is input like any other: a truncated, corrupt or hostile
// file is an error naming the file and what is wrong, never a panic, and
// nothing is allocated in proportion to a count the file claims before the
// bytes backing it are known to be there.
package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"

	"golang.org/x/sys/unix"
)

// Magic is "GGUF" read as a little-endian uint32.
const Magic = 0x46554747

// Limits on what a file may claim.
const (
	MaxKeyLen     = 1 << 16 // a metadata key
	MaxStringLen  = 1 << 24 // a metadata string (chat templates run to kilobytes)
	MaxNameLen    = 1 << 10 // a tensor name
	MaxDims       = 4
	MaxArrayDepth = 2
)

// ErrFormat is wrapped by every error about a file's contents.
var ErrFormat = errors.New("not a valid GGUF file")

// File is an open GGUF file.
type File struct {
	Path     string
	Version  uint32
	Metadata map[string]Value
	Tensors  []Tensor // in file order
	byName   map[string]int
	data     []byte // the whole file, mapped read-only; nil after Close
	mapped   bool
	// DataOffset is where tensor data starts (aligned).
	DataOffset uint64
	Alignment  uint64
}

// Tensor describes one tensor. Dims are innermost first, as GGUF stores
// them (a matrix of rows × cols has Dims [cols, rows]).
type Tensor struct {
	Name   string
	Dims   []uint64
	Type   Type
	Offset uint64 // from DataOffset
	Size   uint64 // bytes
}

// Elements is the product of the dimensions.
func (t *Tensor) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Dims {
		n *= d
	}
	return n
}

// Open maps path read-only and parses it.
func Open(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer fd.Close()
	st, err := fd.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("gguf: %s: not a regular file: %w", path, ErrFormat)
	}
	if st.Size() < 24 {
		return nil, fmt.Errorf("gguf: %s: %d bytes, too small for a header: %w", path, st.Size(), ErrFormat)
	}
	if uint64(st.Size()) > math.MaxInt {
		return nil, fmt.Errorf("gguf: %s: too large to map", path)
	}
	data, err := unix.Mmap(int(fd.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("gguf: mapping %s: %w", path, err)
	}
	f, err := Parse(path, data)
	if err != nil {
		unix.Munmap(data)
		return nil, err
	}
	f.mapped = true
	return f, nil
}

// Close unmaps the file; tensor data obtained from it must not be used
// afterwards.
func (f *File) Close() error {
	if f.data == nil {
		return nil
	}
	var err error
	if f.mapped {
		err = unix.Munmap(f.data)
	}
	f.data = nil
	return err
}

// Parse parses a whole file held in b (name is for errors). The File keeps
// b for tensor data.
func Parse(name string, b []byte) (*File, error) {
	r := &reader{b: b, name: name}
	f, err := r.file()
	if err != nil {
		return nil, err
	}
	f.data = b
	return f, nil
}

// Data returns tensor t's bytes, which live in the mapped file.
func (f *File) Data(t *Tensor) []byte {
	start := f.DataOffset + t.Offset
	return f.data[start : start+t.Size : start+t.Size]
}

// Tensor finds a tensor by name.
func (f *File) Tensor(name string) (*Tensor, bool) {
	i, ok := f.byName[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

type reader struct {
	b    []byte
	off  uint64
	name string
}

func (r *reader) errf(format string, args ...any) error {
	return fmt.Errorf("gguf: %s: at byte %d: %s: %w", r.name, r.off, fmt.Sprintf(format, args...), ErrFormat)
}

func (r *reader) left() uint64 { return uint64(len(r.b)) - r.off }

func (r *reader) take(n uint64) ([]byte, error) {
	if n > r.left() {
		return nil, r.errf("truncated: need %d bytes, %d left", n, r.left())
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s, nil
}

func (r *reader) u32() (uint32, error) {
	s, err := r.take(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(s), nil
}

func (r *reader) u64() (uint64, error) {
	s, err := r.take(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(s), nil
}

func (r *reader) str(max uint64) (string, error) {
	n, err := r.u64()
	if err != nil {
		return "", err
	}
	if n > max {
		return "", r.errf("string of %d bytes, more than %d", n, max)
	}
	s, err := r.take(n)
	return string(s), err
}

func (r *reader) file() (*File, error) {
	magic, err := r.u32()
	if err != nil {
		return nil, err
	}
	if magic != Magic {
		return nil, r.errf("magic %#x, not GGUF", magic)
	}
	f := &File{Path: r.name, Metadata: map[string]Value{}, byName: map[string]int{}, Alignment: 32}
	if f.Version, err = r.u32(); err != nil {
		return nil, err
	}
	if f.Version != 2 && f.Version != 3 {
		return nil, r.errf("version %d (supported: 2, 3)", f.Version)
	}
	nt, err := r.u64()
	if err != nil {
		return nil, err
	}
	nkv, err := r.u64()
	if err != nil {
		return nil, err
	}
	// Each entry takes at least this many bytes: counts beyond what the
	// file can hold are refused before anything is allocated for them.
	const minKV, minTensor = 8 + 4 + 1, 8 + 4 + 8 + 4 + 8
	if nkv > r.left()/minKV {
		return nil, r.errf("%d metadata entries cannot fit in %d bytes", nkv, r.left())
	}
	for i := uint64(0); i < nkv; i++ {
		key, err := r.str(MaxKeyLen)
		if err != nil {
			return nil, err
		}
		typ, err := r.u32()
		if err != nil {
			return nil, err
		}
		v, err := r.value(ValueType(typ), 0)
		if err != nil {
			return nil, fmt.Errorf("metadata %q: %w", key, err)
		}
		if _, dup := f.Metadata[key]; dup {
			return nil, r.errf("metadata %q twice", key)
		}
		f.Metadata[key] = v
	}
	if a, ok := f.Metadata["general.alignment"]; ok {
		al, ok := a.Uint()
		if !ok || al == 0 || al&(al-1) != 0 || al > 1<<16 {
			return nil, r.errf("general.alignment %v: want a power of two up to 65536", a.v)
		}
		f.Alignment = al
	}
	if nt > r.left()/minTensor {
		return nil, r.errf("%d tensors cannot fit in %d bytes", nt, r.left())
	}
	f.Tensors = make([]Tensor, 0, nt)
	for i := uint64(0); i < nt; i++ {
		t, err := r.tensor()
		if err != nil {
			return nil, err
		}
		if _, dup := f.byName[t.Name]; dup {
			return nil, r.errf("tensor %q twice", t.Name)
		}
		if t.Offset%f.Alignment != 0 {
			return nil, r.errf("tensor %q at offset %d, not aligned to %d", t.Name, t.Offset, f.Alignment)
		}
		f.byName[t.Name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, t)
	}
	f.DataOffset = (r.off + f.Alignment - 1) / f.Alignment * f.Alignment
	if f.DataOffset > uint64(len(r.b)) && nt > 0 {
		return nil, r.errf("tensor data starts at %d, beyond the file's %d bytes", f.DataOffset, len(r.b))
	}
	avail := uint64(len(r.b)) - min(f.DataOffset, uint64(len(r.b)))
	// Tensors must lie within the file and not overlap.
	order := make([]int, len(f.Tensors))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return f.Tensors[order[i]].Offset < f.Tensors[order[j]].Offset })
	var end uint64
	for _, i := range order {
		t := &f.Tensors[i]
		if t.Offset > avail || t.Size > avail-t.Offset {
			return nil, fmt.Errorf("gguf: %s: tensor %q (%d bytes at %d) extends beyond the file's data (%d bytes): truncated: %w",
				r.name, t.Name, t.Size, t.Offset, avail, ErrFormat)
		}
		if t.Offset < end {
			return nil, fmt.Errorf("gguf: %s: tensor %q overlaps the one before it: %w", r.name, t.Name, ErrFormat)
		}
		end = t.Offset + t.Size
	}
	return f, nil
}

func (r *reader) tensor() (Tensor, error) {
	var t Tensor
	var err error
	if t.Name, err = r.str(MaxNameLen); err != nil {
		return t, err
	}
	nd, err := r.u32()
	if err != nil {
		return t, err
	}
	if nd == 0 || nd > MaxDims {
		return t, r.errf("tensor %q has %d dimensions (1..%d)", t.Name, nd, MaxDims)
	}
	n := uint64(1)
	for i := uint32(0); i < nd; i++ {
		d, err := r.u64()
		if err != nil {
			return t, err
		}
		if d == 0 || d > 1<<40 {
			return t, r.errf("tensor %q dimension %d = %d", t.Name, i, d)
		}
		if n > math.MaxUint64/d {
			return t, r.errf("tensor %q: element count overflows", t.Name)
		}
		n *= d
		t.Dims = append(t.Dims, d)
	}
	typ, err := r.u32()
	if err != nil {
		return t, err
	}
	t.Type = Type(typ)
	ti, ok := typeInfo[t.Type]
	if !ok {
		return t, r.errf("tensor %q has type %s, which this engine does not support", t.Name, t.Type)
	}
	if t.Dims[0]%ti.block != 0 {
		return t, r.errf("tensor %q: %d columns is not a multiple of %s's block of %d", t.Name, t.Dims[0], t.Type, ti.block)
	}
	blocks := n / ti.block
	if blocks > math.MaxUint64/ti.bytes {
		return t, r.errf("tensor %q: size overflows", t.Name)
	}
	t.Size = blocks * ti.bytes
	if t.Offset, err = r.u64(); err != nil {
		return t, err
	}
	return t, nil
}

func (r *reader) value(t ValueType, depth int) (Value, error) {
	fixed := func(n uint64) ([]byte, error) { return r.take(n) }
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		s, err := fixed(1)
		if err != nil {
			return Value{}, err
		}
		switch t {
		case TypeUint8:
			return Value{t, uint64(s[0])}, nil
		case TypeInt8:
			return Value{t, int64(int8(s[0]))}, nil
		}
		if s[0] > 1 {
			return Value{}, r.errf("bool %d", s[0])
		}
		return Value{t, s[0] == 1}, nil
	case TypeUint16, TypeInt16:
		s, err := fixed(2)
		if err != nil {
			return Value{}, err
		}
		v := binary.LittleEndian.Uint16(s)
		if t == TypeInt16 {
			return Value{t, int64(int16(v))}, nil
		}
		return Value{t, uint64(v)}, nil
	case TypeUint32, TypeInt32, TypeFloat32:
		v, err := r.u32()
		if err != nil {
			return Value{}, err
		}
		switch t {
		case TypeInt32:
			return Value{t, int64(int32(v))}, nil
		case TypeFloat32:
			return Value{t, float64(math.Float32frombits(v))}, nil
		}
		return Value{t, uint64(v)}, nil
	case TypeUint64, TypeInt64, TypeFloat64:
		v, err := r.u64()
		if err != nil {
			return Value{}, err
		}
		switch t {
		case TypeInt64:
			return Value{t, int64(v)}, nil
		case TypeFloat64:
			return Value{t, math.Float64frombits(v)}, nil
		}
		return Value{t, v}, nil
	case TypeString:
		s, err := r.str(MaxStringLen)
		return Value{t, s}, err
	case TypeArray:
		if depth >= MaxArrayDepth {
			return Value{}, r.errf("arrays nested deeper than %d", MaxArrayDepth)
		}
		et, err := r.u32()
		if err != nil {
			return Value{}, err
		}
		n, err := r.u64()
		if err != nil {
			return Value{}, err
		}
		return r.array(ValueType(et), n, depth)
	}
	return Value{}, r.errf("unknown metadata type %d", t)
}

// array reads n elements of type et. Arrays of numbers and strings (the
// tokenizer's vocabulary, scores and types) are kept as typed slices.
func (r *reader) array(et ValueType, n uint64, depth int) (Value, error) {
	size, ok := fixedSize[et]
	min := size
	if !ok {
		min = 8 // a string's length or a nested array's header
		if et != TypeString && et != TypeArray {
			return Value{}, r.errf("array of unknown type %d", et)
		}
	}
	if n > r.left()/min {
		return Value{}, r.errf("array of %d elements cannot fit in %d bytes", n, r.left())
	}
	switch et {
	case TypeString:
		out := make([]string, n)
		for i := range out {
			s, err := r.str(MaxStringLen)
			if err != nil {
				return Value{}, err
			}
			out[i] = s
		}
		return Value{TypeArray, out}, nil
	case TypeFloat32:
		out := make([]float32, n)
		for i := range out {
			v, _ := r.u32()
			out[i] = math.Float32frombits(v)
		}
		return Value{TypeArray, out}, nil
	case TypeInt32, TypeUint32:
		out := make([]int32, n)
		for i := range out {
			v, _ := r.u32()
			out[i] = int32(v)
		}
		return Value{TypeArray, out}, nil
	}
	out := make([]Value, n)
	for i := range out {
		v, err := r.value(et, depth+1)
		if err != nil {
			return Value{}, err
		}
		out[i] = v
	}
	return Value{TypeArray, out}, nil
}
