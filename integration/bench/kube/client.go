package kube

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// Client talks to one apiserver as one user.
type Client struct {
	server string
	token  string
	http   *http.Client
}

// kubeconfig is the file's subset: clusters, users, contexts.
type kubeconfig struct {
	CurrentContext string `yaml:"current-context"`
	Clusters       []struct {
		Name    string `yaml:"name"`
		Cluster struct {
			Server                   string `yaml:"server"`
			CertificateAuthority     string `yaml:"certificate-authority"`
			CertificateAuthorityData string `yaml:"certificate-authority-data"`
			InsecureSkipTLSVerify    bool   `yaml:"insecure-skip-tls-verify"`
		} `yaml:"cluster"`
	} `yaml:"clusters"`
	Users []struct {
		Name string `yaml:"name"`
		User struct {
			Token                 string `yaml:"token"`
			ClientCertificate     string `yaml:"client-certificate"`
			ClientCertificateData string `yaml:"client-certificate-data"`
			ClientKey             string `yaml:"client-key"`
			ClientKeyData         string `yaml:"client-key-data"`
		} `yaml:"user"`
	} `yaml:"users"`
	Contexts []struct {
		Name    string `yaml:"name"`
		Context struct {
			Cluster string `yaml:"cluster"`
			User    string `yaml:"user"`
		} `yaml:"context"`
	} `yaml:"contexts"`
}

// FromKubeconfig builds a client for the kubeconfig's current context.
// Supported credentials: bearer token, client certificate; server trust: a
// CA (file or data) or insecure-skip-tls-verify.
func FromKubeconfig(path string) (*Client, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	var kc kubeconfig
	if err := yaml.Unmarshal(b, &kc); err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	ctxName := kc.CurrentContext
	if ctxName == "" && len(kc.Contexts) == 1 {
		ctxName = kc.Contexts[0].Name
	}
	var clusterName, userName string
	for _, c := range kc.Contexts {
		if c.Name == ctxName {
			clusterName, userName = c.Context.Cluster, c.Context.User
		}
	}
	if clusterName == "" {
		return nil, fmt.Errorf("kubeconfig %s: no context %q", path, ctxName)
	}
	dir := filepath.Dir(path)
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	c := &Client{}
	found := false
	for _, cl := range kc.Clusters {
		if cl.Name != clusterName {
			continue
		}
		found = true
		c.server = cl.Cluster.Server
		tc.InsecureSkipVerify = cl.Cluster.InsecureSkipTLSVerify
		ca, err := fileOrData(dir, cl.Cluster.CertificateAuthority, cl.Cluster.CertificateAuthorityData)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: certificate-authority: %w", path, err)
		}
		if ca != nil {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(ca) {
				return nil, fmt.Errorf("kubeconfig %s: certificate-authority holds no PEM certificate", path)
			}
			tc.RootCAs = pool
		}
	}
	if !found || c.server == "" {
		return nil, fmt.Errorf("kubeconfig %s: cluster %q has no server", path, clusterName)
	}
	for _, u := range kc.Users {
		if u.Name != userName {
			continue
		}
		c.token = u.User.Token
		cert, err := fileOrData(dir, u.User.ClientCertificate, u.User.ClientCertificateData)
		if err != nil {
			return nil, err
		}
		key, err := fileOrData(dir, u.User.ClientKey, u.User.ClientKeyData)
		if err != nil {
			return nil, err
		}
		if cert != nil && key != nil {
			pair, err := tls.X509KeyPair(cert, key)
			if err != nil {
				return nil, fmt.Errorf("kubeconfig %s: client certificate: %w", path, err)
			}
			tc.Certificates = []tls.Certificate{pair}
		}
	}
	c.http = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
	return c, nil
}

func fileOrData(dir, file, data string) ([]byte, error) {
	switch {
	case data != "":
		return base64.StdEncoding.DecodeString(data)
	case file != "":
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		return os.ReadFile(file)
	}
	return nil, nil
}

// APIError is a non-2xx answer, with the apiserver's own message.
type APIError struct {
	Code   int
	Reason string
	Msg    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("apiserver: %d %s: %s", e.Code, e.Reason, e.Msg)
}

// IsNotFound reports a 404.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == http.StatusNotFound
}

// IsAlreadyExists reports a 409 AlreadyExists.
func IsAlreadyExists(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == http.StatusConflict && e.Reason == "AlreadyExists"
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var st Status
		json.Unmarshal(b, &st)
		if st.Message == "" {
			st.Message = string(bytes.TrimSpace(b))
		}
		return &APIError{Code: resp.StatusCode, Reason: st.Reason, Msg: st.Message}
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = b
		return nil
	default:
		return json.Unmarshal(b, out)
	}
}

// CreateNamespace creates a namespace; one that exists is fine.
func (c *Client) CreateNamespace(ctx context.Context, name string) error {
	ns := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]string{"name": name}}
	if err := c.do(ctx, http.MethodPost, "/api/v1/namespaces", ns, nil); err != nil && !IsAlreadyExists(err) {
		return err
	}
	return nil
}

// CreateJob creates a Job in its namespace.
func (c *Client) CreateJob(ctx context.Context, j *Job) error {
	return c.do(ctx, http.MethodPost, "/apis/batch/v1/namespaces/"+url.PathEscape(j.Metadata.Namespace)+"/jobs", j, nil)
}

// GetJob reads a Job.
func (c *Client) GetJob(ctx context.Context, ns, name string) (*Job, error) {
	var j Job
	err := c.do(ctx, http.MethodGet, "/apis/batch/v1/namespaces/"+url.PathEscape(ns)+"/jobs/"+url.PathEscape(name), nil, &j)
	return &j, err
}

// JobPods lists the pods of a Job.
func (c *Client) JobPods(ctx context.Context, ns, job string) ([]Pod, error) {
	var l PodList
	q := url.Values{"labelSelector": {"job-name=" + job}}
	err := c.do(ctx, http.MethodGet, "/api/v1/namespaces/"+url.PathEscape(ns)+"/pods?"+q.Encode(), nil, &l)
	return l.Items, err
}

// PodLog reads a pod's log.
func (c *Client) PodLog(ctx context.Context, ns, pod string) ([]byte, error) {
	var b []byte
	err := c.do(ctx, http.MethodGet, "/api/v1/namespaces/"+url.PathEscape(ns)+"/pods/"+url.PathEscape(pod)+"/log", nil, &b)
	return b, err
}
