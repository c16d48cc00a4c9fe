/** The plan `crier init` writes: small, commented, and passing `crier plan check` as it stands. */

export const initPlanText = `# crier.yaml — your communication plan for incidents.
# Check it with \`crier plan check\`; apply it with \`crier plan apply\` (or restart
# Crier: it loads CRIER_PLAN, ./crier.yaml by default, at start).
# Editors: \`crier plan schema > crier.schema.json\` gives completion and checks.
version: 1

# The page customers see. Times in messages are written in this time zone.
page:
  name: Example Cloud
  url: https://status.example.com
  time_zone: UTC

# Every incident gets an incident lead, a communications lead and a support
# lead, taken from these rotas (API token names, usually email addresses).
# With no rota, whoever declares the incident holds the role.
roles:
  incident_lead:
    rota: [alice@example.com, bob@example.com]
    shift: 1w                          # turns of one week...
    rota_start: "2026-01-05T09:00:00Z" # ...counted from here
  comms_lead:
    rota: [carol@example.com]
  support_lead:
    rota: [dan@example.com]

# Severities, highest first. Each says how soon and how often customers hear
# from you, who approves what they read, and who hears about it.
severities:
  SEV1:
    description: A core service is down for many customers
    first_external_within: 15m  # from detection to the first public notice
    external_cadence: 30m       # next public update due 30 minutes after the last
    internal_cadence: 15m
    remind_before: 5m           # the comms lead is reminded 5 minutes before
    overdue_after: 5m           # then the incident lead is told too
    approval: comms_lead        # none | a role | { any_of: [roles], count: 2 }
    # Once every comms lead wrote or edited a draft, these approve it instead;
    # past them an admin may, with a written reason. \`plan check\` warns when
    # a rota is too short to leave an approver.
    approval_fallback: [incident_lead, admin]
    audiences: [public, internal]
  SEV2:
    description: A feature is broken or slow for some customers
    external_cadence: 1h
    internal_cadence: 30m
    approval: none
    audiences: [public, internal]

# Who hears what, on which channels. \`status-page\` and \`feed\` are built in.
audiences:
  public:
    channels: [status-page, feed, webhook, slack]
  internal:
    channels: []   # add your team's room, for example slack-internal below

# Providers. Secrets are written env:NAME and read from the environment.
channels:
  webhook: { type: webhook }   # subscribers bring their own URLs
  slack: { type: slack }
  # slack-internal: { type: slack, url: env:SLACK_INTERNAL_WEBHOOK }
  # email: { type: email-smtp, url: env:SMTP_URL, from: status@example.com }

# What you say, per scenario and status. LiquidJS templates; variables:
# components, impact, status, status_label, eta, next_update_at, workaround,
# incident_url, incident_name, page_name, severity. A status may give variants for sms,
# chat and email_subject; the others fall back to \`text\`.
scenarios:
  api-errors:
    name: The API fails requests
    severity: SEV1
    impact: major
    components: [API]
    customer_impact: Many requests to the API fail.
    workaround: Retry failed requests; they are safe to repeat.
    templates:
      investigating:
        text: |
          {{ impact }} {{ workaround }}
          Next update by {{ next_update_at }}.
        email_subject: "API requests are failing"
      identified: |
        We know why requests to the {{ components }} fail and we are fixing it.
        {% if eta %}We expect a fix by {{ eta }}.{% endif %}
        Next update by {{ next_update_at }}.
      monitoring: |
        Requests to the {{ components }} work again. We are watching closely.
        Next update by {{ next_update_at }}.
      resolved: |
        The {{ components }} works normally again for all customers. We are sorry for the trouble.

# What lint holds every external message to.
lint:
  max_grade: 9               # Flesch–Kincaid grade
  internal_terms: [api-gw-1] # your host and service names: never shown to customers
`;
