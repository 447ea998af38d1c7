/** @llm-edge/alerts: the gateway's alert rules as typed objects, and the files they render to. */
export {
  defaultAlertConfig,
  resolveAlertConfig,
  type AlertConfig,
  type AlertConfigInput,
} from './config.js';
export {
  ALERT_CATEGORIES,
  ALERT_NAMES,
  Dashboard,
  type AlertCategory,
  type AlertName,
  type AlertRule,
  type DashboardTitle,
  type Severity,
} from './model.js';
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
export { parseDuration } from './duration.js';
