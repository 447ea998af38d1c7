/** @llm-edge/alerts: the gateway's alert rules as typed objects, and the files they render to. */
export {
  ALERT_NAMES,
  Dashboards,
  defaultAlertConfig,
  parseDuration,
  resolveAlertConfig,
  type AlertConfig,
  type AlertConfigInput,
  type AlertName,
  type DashboardTitle,
} from '@llm-edge/monitoring';
export { ALERT_CATEGORIES, type AlertCategory, type AlertRule, type Severity } from './model.js';
export { alertRules, runbookUrl } from './rules/index.js';
export { RULE_GROUP_PREFIX, renderAlertsYaml, renderRuleFile, ruleGroups } from './render/alerts-yaml.js';
export {
  defaultAlertmanagerOptions,
  Receiver,
  renderAlertmanagerYaml,
  resolveAlertmanagerOptions,
  type AlertmanagerOptions,
  type AlertmanagerOptionsInput,
  type SlackChannelRole,
} from './render/alertmanager-yaml.js';
