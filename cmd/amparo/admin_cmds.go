package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amparo-ec/amparo/internal/app"
	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/auth"
	"github.com/amparo-ec/amparo/internal/platform/config"
	"github.com/amparo-ec/amparo/internal/platform/errs"
	"github.com/amparo-ec/amparo/internal/platform/i18n"
	"github.com/amparo-ec/amparo/internal/platform/reqinfo"
)

func init() {
	register("agency", "add, list, deactivate or reactivate agencies", cmdAgency)
	register("user", "add, list, deactivate or reactivate users", cmdUser)
	register("token", "create an API token for a user (token create)", cmdToken)
}

// stdin is where --password-stdin reads from; tests replace it.
var stdin io.Reader = os.Stdin

// adminMask are the flags every administration command takes, like serve: they work
// on the same database while the server runs.
const adminMask = config.WithData | config.WithDB

// subcommand runs the sub-command named by args[0] from table.
func subcommand(ctx context.Context, name string, table map[string]func(context.Context, []string, io.Writer, io.Writer) error,
	args []string, out, errOut io.Writer) error {
	var names []string
	for n := range table {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") || args[0] == "help" {
		fmt.Fprintf(errOut, "Usage: amparo %s %s [flags]   (amparo %s SUBCOMMAND --help for its flags)\n",
			name, strings.Join(names, "|"), name)
		if len(args) == 0 || (args[0] != "-h" && args[0] != "--help" && args[0] != "help") {
			return usagef("say what to do: %s", strings.Join(names, " or "))
		}
		return flag.ErrHelp
	}
	run, ok := table[args[0]]
	if !ok {
		return usagef("unknown subcommand %q; use %s", args[0], strings.Join(names, " or "))
	}
	return run(ctx, args[1:], out, errOut)
}

func cmdAgency(ctx context.Context, args []string, out, errOut io.Writer) error {
	return subcommand(ctx, "agency", map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"add": cmdAgencyAdd, "list": cmdAgencyList,
		"deactivate": cmdAgencyDeactivate, "reactivate": cmdAgencyReactivate}, args, out, errOut)
}

func cmdUser(ctx context.Context, args []string, out, errOut io.Writer) error {
	return subcommand(ctx, "user", map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"add": cmdUserAdd, "list": cmdUserList,
		"deactivate": cmdUserDeactivate, "reactivate": cmdUserReactivate}, args, out, errOut)
}

func cmdToken(ctx context.Context, args []string, out, errOut io.Writer) error {
	return subcommand(ctx, "token", map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"create": cmdTokenCreate}, args, out, errOut)
}

// openAdmin opens the database and builds the services, and returns a context acting
// as the system through the command line (audited with via "cli").
func openAdmin(ctx context.Context, c *config.Config, errOut io.Writer) (context.Context, *app.App, error) {
	c.LogLevel = "warn"
	log := app.NewLogger(c, errOut)
	d, err := app.Open(ctx, c, log)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.New(ctx, c, d, log)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	ctx = reqinfo.With(ctx, &reqinfo.Info{Via: "cli", UserID: "system", Lang: "en"})
	return access.With(ctx, access.System()), a, nil
}

// problems prints one English line per field error of err (a refused input) and
// returns a usage error, so the command exits 2; other errors pass through.
func problems(cmd string, err error, errOut io.Writer) error {
	e, ok := errs.As(err)
	if !ok || (e.Code != errs.CodeInvalid && e.Code != errs.CodeNotFound) {
		return err
	}
	cat := i18n.MustLoad()
	if len(e.Fields) == 0 {
		fmt.Fprintf(errOut, "amparo %s: %s\n", cmd, cat.T("en", e.Key))
	}
	fields := make([]string, 0, len(e.Fields))
	for f := range e.Fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		msg := cat.T("en", e.Fields[f])
		switch e.Fields[f] {
		case "validation.role_unknown":
			msg += " Known roles: " + roleList() + "."
		case "validation.agency_type":
			msg += " Known types: " + strings.Join(auth.AgencyTypes, ", ") + "."
		}
		fmt.Fprintf(errOut, "amparo %s: --%s: %s\n", cmd, flagOf(f), msg)
	}
	return usagef("nothing was changed")
}

// flagOf names the command-line flag behind a service field.
func flagOf(field string) string {
	switch field {
	case "roles":
		return "role"
	case "jurisdiction":
		return "jurisdiction"
	case "password":
		return "password-stdin"
	}
	return field
}

// required reports missing flags as usage errors, one line each.
func required(cmd string, errOut io.Writer, flags ...string) error {
	var missing []string
	for i := 0; i+1 < len(flags); i += 2 {
		if strings.TrimSpace(flags[i+1]) == "" {
			missing = append(missing, flags[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for _, m := range missing {
		fmt.Fprintf(errOut, "amparo %s: --%s is required\n", cmd, m)
	}
	return usagef("nothing was changed")
}

func cmdAgencyAdd(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("agency add", "agency add --code CODE --name NAME --type TYPE [--province PP] [--canton CCCC] [--db URL] [--data DIR]", errOut)
	c := config.Register(fs, adminMask)
	code := fs.String("code", "", "short stable code, e.g. fundacion-norte (lower case, digits, - and _)")
	name := fs.String("name", "", "the agency's name")
	typ := fs.String("type", "", "one of: "+strings.Join(auth.AgencyTypes, ", "))
	prov := fs.String("province", "", "province code (2 digits, INEC)")
	canton := fs.String("canton", "", "canton code (4 digits, INEC)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.Finish(adminMask); err != nil {
		return err
	}
	ctx, a, err := openAdmin(ctx, c, errOut)
	if err != nil {
		return err
	}
	defer a.Close()
	ag, err := a.Auth.CreateAgency(ctx, &auth.Agency{Code: *code, Name: *name, Type: *typ,
		ProvinceCode: strings.TrimSpace(*prov), CantonCode: strings.TrimSpace(*canton)})
	if err != nil {
		return problems("agency add", err, errOut)
	}
	fmt.Fprintf(out, "agency %s created (id %s)\n", ag.Code, ag.ID)
	return nil
}

func cmdAgencyList(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("agency list", "agency list [--db URL] [--data DIR]", errOut)
	c := config.Register(fs, adminMask)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.Finish(adminMask); err != nil {
		return err
	}
	ctx, a, err := openAdmin(ctx, c, errOut)
	if err != nil {
		return err
	}
	defer a.Close()
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CODE\tNAME\tTYPE\tPROVINCE\tCANTON\tACTIVE\tUSERS")
	for off := 0; ; off += 500 {
		list, total, err := a.Auth.ListAgencies(ctx, auth.AgencyFilter{Limit: 500, Offset: off})
		if err != nil {
			return err
		}
		for _, ag := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", ag.Code, ag.Name, ag.Type, dash(ag.ProvinceCode),
				dash(ag.CantonCode), yesNo(ag.Active), ag.Users)
		}
		if len(list) == 0 || off+len(list) >= total {
			break
		}
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// readPassword reads one line from stdin for --password-stdin.
func readPassword() (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("--password-stdin: no password on stdin (one line expected)")
	}
	return pw, nil
}

func cmdUserAdd(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("user add", "user add --email EMAIL --name NAME --role ROLE[,ROLE] --agency CODE [--jurisdiction national|PP|CCCC] [--lang es|en] [--password-stdin] [--db URL] [--data DIR]", errOut)
	c := config.Register(fs, adminMask)
	email := fs.String("email", "", "the user's email; they sign in with it")
	name := fs.String("name", "", "the user's full name")
	roles := fs.String("role", "", "roles, comma-separated: "+roleList())
	agency := fs.String("agency", "", "code of the user's agency")
	jur := fs.String("jurisdiction", "", "scope: national, a province code (2 digits) or a canton code (4 digits); default: the agency only")
	lang := fs.String("lang", i18n.Default, "language: es or en")
	pwStdin := fs.Bool("password-stdin", false, "read the password from one line of stdin instead of generating one")
	if err := parse(fs, args); err != nil {
		return err
	}
	password := ""
	if *pwStdin {
		var err error
		if password, err = readPassword(); err != nil {
			return err
		}
	}
	if err := c.Finish(adminMask); err != nil {
		return err
	}
	ctx, a, err := openAdmin(ctx, c, errOut)
	if err != nil {
		return err
	}
	defer a.Close()

	level, code := auth.ParseJurisdiction(*jur)
	u := &auth.User{Email: *email, Name: *name, Lang: *lang, JurisdictionLevel: level, JurisdictionCode: code}
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			u.Roles = append(u.Roles, access.Role(r))
		}
	}
	// Collect every problem before saving anything: the service finds most; an unknown
	// agency or a taken email are found here so they are listed together.
	found := errs.Fields{}
	if strings.TrimSpace(*agency) == "" {
		found.Add("agency", "validation.required")
		u.AgencyID = "-"
	} else if ag, err := a.Auth.AgencyByCode(ctx, *agency); err == nil {
		u.AgencyID = ag.ID
	} else if errs.CodeOf(err) == errs.CodeNotFound {
		found.Add("agency", "validation.agency_unknown")
		u.AgencyID = "-"
	} else {
		return err
	}
	if _, err := a.Auth.UserByEmail(ctx, *email); err == nil {
		found.Add("email", "validation.email_taken")
	}
	check := *u
	check.Normalize()
	if err := check.Validate(); err != nil {
		if e, ok := errs.As(err); ok {
			for k, v := range e.Fields {
				found.Add(k, v)
			}
		}
	}
	if password != "" {
		if p := auth.PasswordProblem(password, check.Email, check.Name); p != "" {
			found.Add("password", p)
		}
	}
	if err := found.Err(); err != nil {
		return problems("user add", err, errOut)
	}
	u, generated, err := a.Auth.CreateUser(ctx, u, password)
	if err != nil {
		return problems("user add", err, errOut)
	}
	fmt.Fprintf(out, "user %s created (id %s)\n", u.Email, u.ID)
	if generated != "" {
		fmt.Fprintf(out, "password: %s\n", generated)
		fmt.Fprintln(out, "Give it to the person by a safe channel; they must change it at their first sign-in.")
	}
	return nil
}

func roleList() string {
	out := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		out[i] = string(r)
	}
	return strings.Join(out, ", ")
}

func cmdUserList(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("user list", "user list [--db URL] [--data DIR]", errOut)
	c := config.Register(fs, adminMask)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := c.Finish(adminMask); err != nil {
		return err
	}
	ctx, a, err := openAdmin(ctx, c, errOut)
	if err != nil {
		return err
	}
	defer a.Close()
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tAGENCY\tROLES\tJURISDICTION\tACTIVE\tTOTP\tLOCKED")
	for off := 0; ; off += 500 {
		list, total, err := a.Auth.ListUsers(ctx, auth.UserFilter{Limit: 500, Offset: off})
		if err != nil {
			return err
		}
		for _, u := range list {
			rs := make([]string, len(u.Roles))
			for i, r := range u.Roles {
				rs[i] = string(r)
			}
			jur := u.JurisdictionLevel
			if u.JurisdictionCode != "" {
				jur += " " + u.JurisdictionCode
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, u.AgencyCode, strings.Join(rs, ","),
				jur, yesNo(u.Active), yesNo(u.TOTPEnabled), yesNo(a.Auth.IsLocked(u)))
		}
		if len(list) == 0 || off+len(list) >= total {
			break
		}
	}
	return tw.Flush()
}

func cmdTokenCreate(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := newFlags("token create", "token create --email EMAIL [--name NAME] [--expires 720h] [--db URL] [--data DIR]", errOut)
	c := config.Register(fs, adminMask)
	email := fs.String("email", "", "the user the token acts as")
	name := fs.String("name", "cli", "a name to recognise the token by")
	expires := fs.Duration("expires", 30*24*time.Hour, "lifetime, at most 8760h (one year)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := required("token create", errOut, "email", *email); err != nil {
		return err
	}
	if err := c.Finish(adminMask); err != nil {
		return err
	}
	ctx, a, err := openAdmin(ctx, c, errOut)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UserByEmail(ctx, *email)
	if errs.CodeOf(err) == errs.CodeNotFound {
		return problems("token create", errs.Invalid(map[string]string{"email": "validation.user_unknown"}), errOut)
	}
	if err != nil {
		return err
	}
	secret, tok, err := a.Auth.CreateToken(ctx, u.ID, *name, *expires)
	if err != nil {
		return problems("token create", err, errOut)
	}
	fmt.Fprintln(out, secret)
	// On stderr, so scripts that read the token from stdout are not disturbed.
	fmt.Fprintf(errOut, "token %s issued for %s by the operator: audited as token.issue and listed on their profile, where they can revoke it\n",
		tok.ID, u.Email)
	return nil
}
