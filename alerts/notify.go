package alerts

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/peaceops/peaceops/store"
)

// notifier writes the in-app notifications of one run.
type notifier struct {
	tx      *store.Tx
	mission string
	subs    []subscriber
	readers map[string]bool // members who may read the mission's alerts, by username
	count   int
}

// notify writes a notification of a at its level for every matching
// subscription whose user may read the alert, once per user.
func (n *notifier) notify(ctx context.Context, a *Alert) error {
	for _, sub := range n.subs {
		if !(n.readers[sub.Username] || sub.admin) || !sub.matches(a, a.Level) {
			continue
		}
		added, err := insertNotification(ctx, n.tx, sub.userID, n.mission, a.ID, a.Level, sub.Email)
		if err != nil {
			return err
		}
		if added {
			n.count++
		}
	}
	return nil
}

// SMTPConfig is the mail server notifications are sent through. Port 465
// speaks TLS from the start; on any other port (587 by default) the
// connection is upgraded with STARTTLS when the server offers it, and
// net/smtp refuses to send the password over a connection that is neither
// encrypted nor to localhost. The password is never logged: String and
// LogValue leave it out, and errors are scrubbed of it before logging.
type SMTPConfig struct {
	Host     string
	Port     int    // default 587
	From     string // e.g. "PeaceOps <alerts@mission.example>"
	Username string // "" sends without authentication
	Password string
	// Timeout bounds each mail (connection and conversation); default 30s.
	Timeout time.Duration
}

func (c *SMTPConfig) port() int {
	if c.Port == 0 {
		return 587
	}
	return c.Port
}

func (c *SMTPConfig) timeout() time.Duration {
	if c.Timeout <= 0 {
		return 30 * time.Second
	}
	return c.Timeout
}

// String describes c without its password.
func (c SMTPConfig) String() string {
	return fmt.Sprintf("smtp://%s@%s (from %s)", c.Username, net.JoinHostPort(c.Host, strconv.Itoa(c.port())), c.From)
}

// LogValue logs c without its password.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", c.Host), slog.Int("port", c.port()),
		slog.String("from", c.From), slog.String("username", c.Username))
}

// scrub returns the text of err with the password, and the AUTH PLAIN
// token that carries it, replaced: a server may echo what it was sent.
func (c *SMTPConfig) scrub(err error) string {
	msg := err.Error()
	if c.Password == "" {
		return msg
	}
	for _, secret := range []string{
		base64.StdEncoding.EncodeToString([]byte("\x00" + c.Username + "\x00" + c.Password)),
		base64.StdEncoding.EncodeToString([]byte(c.Username + "\x00" + c.Password)),
		c.Password,
	} {
		msg = strings.ReplaceAll(msg, secret, "[redacted]")
	}
	return msg
}

// send delivers msg to the address to.
func (c *SMTPConfig) send(ctx context.Context, to string, msg []byte) error {
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return fmt.Errorf("the sender address %q is not valid: %w", c.From, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.port()))
	d := &net.Dialer{}
	var conn net.Conn
	if c.port() == 465 {
		conn, err = (&tls.Dialer{NetDialer: d, Config: &tls.Config{ServerName: c.Host}}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok && c.port() != 465 {
		if err := cl.StartTLS(&tls.Config{ServerName: c.Host}); err != nil {
			return err
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return err
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return err
	}
	if err := cl.Rcpt(to); err != nil {
		return err
	}
	w, err := cl.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return cl.Quit()
}

// Mail delivery limits: attempts per notification before giving up, and
// mails per delivery round.
const (
	maxMailAttempts = 5
	mailBatch       = 200
)

// deliverMail sends the notifications waiting for mail, in every mission,
// and returns how many were sent and how many failed. It runs after a
// run's commit; failures are logged (without the password) and left for
// the next run. Only one delivery runs at a time in a process; a caller
// that finds one under way leaves the work to it.
func (s *Service) deliverMail(ctx context.Context) (sent, failed int) {
	if s.smtp == nil {
		return 0, 0
	}
	select {
	case s.mail <- struct{}{}:
		defer func() { <-s.mail }()
	default:
		return 0, 0
	}
	var pending []pendingMail
	err := s.db.View(ctx, func(tx *store.Tx) (err error) {
		pending, err = findPendingMail(ctx, tx, maxMailAttempts, mailBatch)
		return err
	})
	if err != nil {
		s.log.ErrorContext(ctx, "alerts: find mail to send", "error", err.Error())
		return 0, 0
	}
	for _, m := range pending {
		sendErr := s.smtp.send(ctx, m.email, s.message(m))
		if sendErr != nil && ctx.Err() != nil {
			break // shutting down or the caller left: not the mail's fault, try again later
		}
		if sendErr != nil {
			failed++
			s.log.WarnContext(ctx, "alerts: mail not sent, will retry on the next run",
				"notification", m.id, "mission", m.mission, "smtp", s.smtp, "error", s.smtp.scrub(sendErr))
		} else {
			sent++
		}
		if err := s.db.Update(ctx, func(tx *store.Tx) error { return markMailed(ctx, tx, m.id, sendErr == nil) }); err != nil {
			s.log.ErrorContext(ctx, "alerts: record mail", "notification", m.id, "error", err.Error())
		}
		if sendErr != nil && isConnError(sendErr) {
			break // the server is unreachable: the rest would fail alike
		}
	}
	return sent, failed
}

func isConnError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// link returns the address of path for a mail.
func (s *Service) link(path string) string { return s.baseURL + path }

// message builds the mail of one notification.
func (s *Service) message(m pendingMail) []byte {
	a := m.alert
	subject := fmt.Sprintf("[PeaceOps] %s %s: %s", m.mission, a.Level, a.AreaName)
	if a.Type != "" {
		subject += " (" + a.Type + ")"
	}
	alertPath := "/missions/" + url.PathEscape(m.mission) + "/alerts/" + url.PathEscape(a.ID)
	var body strings.Builder
	fmt.Fprintf(&body, "Early warning for %s, level %s.\r\n\r\n", m.mission, a.Level)
	fmt.Fprintf(&body, "%s\r\n\r\n", a.Explanation)
	fmt.Fprintf(&body, "Weeks compared: %s to %s.\r\n", a.Window.From, a.Window.To)
	fmt.Fprintf(&body, "Open the alert: %s\r\n\r\n", s.link(alertPath))
	fmt.Fprintf(&body, "A statistical signal is a prompt for analysis, not an analysis: counts reflect reporting as well as violence.\r\n")
	fmt.Fprintf(&body, "You receive this because you subscribed to alerts of %s. Manage your subscriptions: %s\r\n",
		m.mission, s.link("/missions/"+url.PathEscape(m.mission)+"/alerts/subscriptions"))

	from := s.smtp.From
	var b bytes.Buffer
	header := func(k, v string) {
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	header("From", from)
	header("To", m.email)
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", time.Now().UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+m.id+"@peaceops>")
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(body.String()))
	qp.Close()
	return b.Bytes()
}
