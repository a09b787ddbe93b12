package alerts_test

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/peaceops/peaceops/alerts"
	"github.com/peaceops/peaceops/store"
	"github.com/peaceops/peaceops/store/storetest"
)

// smtpServer is a tiny SMTP server on 127.0.0.1 that records what it is
// sent. While reject is set it refuses authentication, echoing the
// credentials it got in its reply, as some servers do.
type smtpServer struct {
	ln net.Listener

	mu     sync.Mutex // guards the fields below
	reject bool
	auths  []string
	mails  []mail
}

type mail struct {
	from, to string
	data     string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { s.serve(c) })
		}
	})
	return s
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) setReject(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = v
}

func (s *smtpServer) received() []mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mail(nil), s.mails...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 127.0.0.1 test ESMTP")
	var m mail
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			tp.PrintfLine("250-127.0.0.1 hello")
			tp.PrintfLine("250 AUTH PLAIN")
		case "AUTH":
			s.mu.Lock()
			s.auths = append(s.auths, arg)
			reject := s.reject
			s.mu.Unlock()
			if reject {
				tp.PrintfLine("535 5.7.8 credentials %s rejected", arg)
				continue
			}
			tp.PrintfLine("235 2.7.0 accepted")
		case "MAIL":
			m = mail{from: arg}
			tp.PrintfLine("250 ok")
		case "RCPT":
			m.to = arg
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.data = string(b)
			s.mu.Lock()
			s.mails = append(s.mails, m)
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

// TestMailNotifications: a subscription with an address gets a mail per
// notification; a refused send is logged without the password and sent by
// the next run.
func TestMailNotifications(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		srv := startSMTP(t)
		const secret = "Tr0ub4dor&3-smtp"
		f := newFixture(t, db, alerts.Options{BaseURL: "https://peaceops.minusca.test/",
			SMTP: &alerts.SMTPConfig{Host: "127.0.0.1", Port: srv.port(), From: "PeaceOps <alerts@minusca.test>",
				Username: "peaceops", Password: secret}})
		if err := f.alerts.Subscribe(f.as("vera"), "MINUSCA", &alerts.Subscription{Area: bangui, Email: "vera@minusca.test"}); err != nil {
			t.Fatal(err)
		}
		srv.setReject(true)
		f.importCAR(t)
		res := f.run(t, "ana", at2014)
		if res.Notified == 0 || res.MailFailed != res.Notified || res.Emailed != 0 {
			t.Fatalf("run with a refusing server: %d notified, %d mailed, %d failed", res.Notified, res.Emailed, res.MailFailed)
		}
		logs := f.logs.String()
		token := base64.StdEncoding.EncodeToString([]byte("\x00peaceops\x00" + secret))
		if !strings.Contains(logs, "mail not sent") {
			t.Errorf("the failed send was not logged:\n%s", logs)
		}
		if strings.Contains(logs, secret) || strings.Contains(logs, token) {
			t.Fatalf("the SMTP password is in the log:\n%s", logs)
		}

		srv.setReject(false)
		again := f.run(t, "ana", at2014)
		if again.Notified != 0 || again.Emailed != res.Notified || again.MailFailed != 0 {
			t.Fatalf("next run: %d notified, %d mailed, %d failed; want 0, %d, 0", again.Notified, again.Emailed, again.MailFailed, res.Notified)
		}
		mails := srv.received()
		if len(mails) != res.Notified {
			t.Fatalf("server received %d mails, want %d", len(mails), res.Notified)
		}
		var bangui string
		for _, m := range mails {
			if m.to != "TO:<vera@minusca.test>" || m.from != "FROM:<alerts@minusca.test>" {
				t.Errorf("mail from %s to %s", m.from, m.to)
			}
			head, body, _ := strings.Cut(m.data, "\n\n")
			text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
			if err != nil {
				t.Fatalf("mail body: %v", err)
			}
			if strings.Contains(head, "Subject: [PeaceOps] MINUSCA") && strings.Contains(string(text), "\nBangui: ") {
				bangui = string(text)
			}
		}
		if bangui == "" || !strings.Contains(bangui, "https://peaceops.minusca.test/missions/MINUSCA/alerts/") {
			t.Errorf("no mail about Bangui with a link among:\n%v", mails)
		}
		if third := f.run(t, "ana", at2014); third.Emailed != 0 {
			t.Errorf("a third run mailed %d again", third.Emailed)
		}
		if logs := f.logs.String(); strings.Contains(logs, secret) || strings.Contains(logs, token) {
			t.Fatalf("the SMTP password is in the log:\n%s", logs)
		}
	})
}

func TestSMTPConfigHidesPassword(t *testing.T) {
	c := alerts.SMTPConfig{Host: "smtp.example.org", Username: "peaceops", Password: "hunter2-hunter2"}
	var b strings.Builder
	log := newTextLogger(&b)
	log.Info("config", "smtp", c, "ptr", &c)
	for _, s := range []string{c.String(), b.String()} {
		if strings.Contains(s, c.Password) {
			t.Errorf("password shown in %q", s)
		}
	}
}
