package ollama

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-os-agent/runsc-ai/llmkernel"
)

// faultInjectionServer is a fake ollama for fault injection only (the real
// server is exercised in integration/ollama): handler decides how it breaks.
func faultInjectionServer(t *testing.T, handler http.HandlerFunc) *Backend {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	b, err := New(Options{Host: srv.URL, Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func infer(t *testing.T, b *Backend) (llmkernel.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return b.Infer(ctx, llmkernel.Request{Kind: llmkernel.KindCPU, Prompt: "p"})
}

// A server that streams endless 1 MiB lines costs a bounded amount of
// memory and is an error, not an answer.
func TestEndlessAnswerIsBounded(t *testing.T) {
	line := strings.Repeat("x", 1<<20)
	for _, tc := range []struct{ name, chunk string }{
		{"endless lines", line + "\n"},
		{"endless answer", fmt.Sprintf(`{"response":%q,"done":false}`+"\n", strings.Repeat("y", 1000))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent := 0
			b := faultInjectionServer(t, func(w http.ResponseWriter, r *http.Request) {
				for i := 0; i < 4096 && r.Context().Err() == nil; i++ { // up to 4 GiB
					if _, err := w.Write([]byte(tc.chunk)); err != nil {
						return
					}
					sent += len(tc.chunk)
				}
			})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			resp, err := infer(t, b)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatalf("answer of %d bytes accepted", len(resp.Text))
			}
			if len(resp.Text) != 0 {
				t.Errorf("partial answer of %d bytes returned with the error", len(resp.Text))
			}
			// The answer is read to its bound (maxBody); nothing more may be
			// kept or allocated per byte the server sends.
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 64<<20 {
				t.Errorf("allocated %d MiB reading the answer", grown>>20)
			}
			if len(err.Error()) > 1024 {
				t.Errorf("error of %d bytes: the server's text is not bounded", len(err.Error()))
			}
		})
	}
}

// An answer cut off mid-way is a backend error; so are an answer that is
// not done, trailing data, and an HTTP 500 with or without a body.
func TestBrokenStreamsAreBackendErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"cut off", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"response":"{\"action\":","done":false}` + "\n"))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}, "reading the answer"},
		{"no done", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"response":"{}","done":false}` + "\n"))
		}, "before it was done"},
		{"trailing data", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"response":"{}","done":true}` + "\n" + `{"response":"x"}` + "\n"))
		}, "unreadable answer"},
		{"HTTP 500, empty body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}, "HTTP 500"},
		{"HTTP 500 with an error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":"model crashed"}` + "\n"))
		}, "model crashed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := infer(t, faultInjectionServer(t, tc.handler))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, answer %q: want an error with %q", err, resp.Text, tc.want)
			}
		})
	}
}

// The request is ollama's /api/generate, unstreamed, with the schema as
// its format, greedy and bounded options, and the model kept loaded.
func TestRequest(t *testing.T) {
	var got map[string]any
	var path string
	b := faultInjectionServer(t, func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		json.NewDecoder(r.Body).Decode(&got)
		w.Write([]byte(`{"response":"{}","done":true}`))
	})
	ctx := context.Background()
	if _, err := b.Infer(ctx, llmkernel.Request{Kind: llmkernel.KindCPU, Prompt: "p", Schema: []byte(`{"type":"object"}`)}); err != nil {
		t.Fatal(err)
	}
	want := `map[format:map[type:object] keep_alive:30m0s model:m options:map[num_predict:256 seed:1 temperature:0] prompt:p stream:false]`
	if path != "/api/generate" || fmt.Sprint(got) != want {
		t.Errorf("%s %v\nwant /api/generate %s", path, got, want)
	}
}

// A whole answer in one piece still works, and a server that is slower than
// the caller's deadline is reported as the deadline.
func TestAnswerAndDeadline(t *testing.T) {
	b := faultInjectionServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"response":"{\"action\":\"keep\"}","done":true,"total_duration":5}` + "\n"))
	})
	resp, err := infer(t, b)
	if err != nil || string(resp.Text) != `{"action":"keep"}` || resp.ModelTime != 5 {
		t.Fatalf("%q %v %v", resp.Text, resp.ModelTime, err)
	}
	slow := faultInjectionServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"response":"{","done":false}` + "\n"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := slow.Infer(ctx, llmkernel.Request{Prompt: "p"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow server: %v, want the deadline", err)
	}
}
