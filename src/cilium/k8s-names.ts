/**
 * The syntax checks of Kubernetes apimachinery (`k8s.io/apimachinery/pkg/util/validation`,
 * `…/api/validate/content`) that the API server applies to built-in objects: qualified names
 * (label keys), label values, DNS-1123 names, port names and numbers. Each returns the reasons a
 * value is refused (empty when it is accepted), worded after the Go messages. The Cilium agent
 * applies the same label syntax to selectors, and the policy layer to what it renders: one copy
 * for the three.
 */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', 'my.name', '123-abc')";
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', '123-abc')";

/** `IsDNS1123Subdomain`: at most 253 characters of `[a-z0-9.-]`, dot-separated DNS-1123 labels. */
export function isDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) {
    errs.push('must be no more than 253 characters');
  }
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push(DNS1123_SUBDOMAIN_MSG);
  }
  return errs;
}

/** `IsDNS1123Label`: at most 63 characters of `[a-z0-9-]`, alphanumeric at both ends. */
export function isDns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) {
    errs.push('must be no more than 63 characters');
  }
  if (!DNS1123_LABEL_RE.test(value)) {
    errs.push(DNS1123_SUBDOMAIN_RE.test(value) ? 'must not contain dots' : DNS1123_LABEL_MSG);
  }
  return errs;
}

/**
 * `IsQualifiedName` (`content.IsLabelKey`), the syntax of a label key: an optional DNS-1123
 * subdomain prefix and `/`, then a name of at most 63 characters.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) {
      errs.push('prefix part must be non-empty');
    } else {
      errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
    }
  } else {
    return [`a qualified name ${QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) {
    errs.push('name part must be non-empty');
  } else if (name.length > 63) {
    errs.push('name part must be no more than 63 characters');
  }
  if (!QUALIFIED_NAME_RE.test(name)) {
    errs.push(`name part ${QUALIFIED_NAME_MSG}`);
  }
  return errs;
}

/** `IsValidLabelValue`: empty, or at most 63 characters of `[A-Za-z0-9_.-]`, alphanumeric at both ends. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) {
    errs.push('must be no more than 63 characters');
  }
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', 'my_value', '12345')");
  }
  return errs;
}

/** `IsValidPortNum`: 1-65535. */
export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/**
 * `IsValidPortName` (IANA service name syntax, lower case only): 1-15 characters of `[-a-z0-9]`
 * with at least one letter, no `--`, no `-` at either end. A string of digits such as "80" is
 * therefore not a port name.
 */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) {
    errs.push('must be no more than 15 characters');
  }
  if (!/^[-a-z0-9]+$/.test(port)) {
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(port)) {
    errs.push('must contain at least one letter (a-z)');
  }
  if (port.includes('--')) {
    errs.push('must not contain consecutive hyphens');
  }
  if (port.startsWith('-') || port.endsWith('-')) {
    errs.push('must not begin or end with a hyphen');
  }
  return errs;
}
