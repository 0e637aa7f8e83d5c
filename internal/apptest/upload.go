package apptest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
)

// Upload POSTs a multipart form with the file content under "file" (named
// filename) and the given fields, in that order, to path.
func (c *Client) Upload(path, filename string, content []byte, fields map[string]string) Response {
	c.s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.s.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	return c.Raw("POST", path, mw.FormDataContentType(), &body)
}

// Raw sends a request with a body of any content type.
func (c *Client) Raw(method, path, contentType string, body io.Reader, headers ...string) Response {
	c.s.t.Helper()
	req, err := http.NewRequest(method, c.s.URL+path, body)
	if err != nil {
		c.s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		c.s.t.Fatalf("read body: %v", err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: data, t: c.s.t}
}
