/**
 * The words Crier itself adds around an update in a message (its title's
 * status, the links' labels), in each language it speaks. The update's own
 * words come from the plan's templates or its writer; these frame them.
 */
import type { IncidentStatus } from './incidents.ts';
import { type PageLanguage, pageLanguages } from './languages.ts';

export interface MessageWords {
  /** The email's `<html dir>`: Arabic reads right to left. */
  readonly dir: 'ltr' | 'rtl';
  readonly status: Readonly<Record<IncidentStatus, string>>;
  readonly confirm: string;
  readonly details: string;
  readonly viewDetails: string;
  readonly helpful: string;
  readonly yes: string;
  readonly no: string;
  readonly manage: string;
  /** After "[DRILL] " in an email. */
  readonly exercise: string;
  /** The SMS links' labels: GSM-7 characters wherever the language allows, so they never force UCS-2 alone. */
  readonly smsConfirm: string;
  readonly smsHelpful: string;
  readonly smsStop: string;
}

const words: Readonly<Record<PageLanguage, MessageWords>> = {
  en: {
    dir: 'ltr',
    status: {
      investigating: 'Investigating',
      identified: 'Identified',
      monitoring: 'Monitoring',
      resolved: 'Resolved',
      postmortem: 'Postmortem',
    },
    confirm: 'Confirm your subscription',
    details: 'Details',
    viewDetails: 'View details',
    helpful: 'Was this update helpful?',
    yes: 'Yes',
    no: 'No',
    manage: 'Manage your subscription or unsubscribe',
    exercise: 'This is an exercise.',
    smsConfirm: 'Confirm:',
    smsHelpful: 'Helpful?',
    smsStop: 'Stop: reply STOP or',
  },
  fr: {
    dir: 'ltr',
    status: {
      investigating: 'Analyse en cours',
      identified: 'Cause identifiée',
      monitoring: 'Sous surveillance',
      resolved: 'Résolu',
      postmortem: 'Analyse post-incident',
    },
    confirm: 'Confirmez votre abonnement',
    details: 'Détails',
    viewDetails: 'Voir les détails',
    helpful: 'Cette mise à jour vous a-t-elle aidé ?',
    yes: 'Oui',
    no: 'Non',
    manage: 'Gérer votre abonnement ou vous désabonner',
    exercise: 'Ceci est un exercice.',
    smsConfirm: 'Confirmer :',
    smsHelpful: 'Utile ?',
    smsStop: 'Fin : répondez STOP ou',
  },
  de: {
    dir: 'ltr',
    status: {
      investigating: 'Wird untersucht',
      identified: 'Ursache gefunden',
      monitoring: 'Wird beobachtet',
      resolved: 'Behoben',
      postmortem: 'Nachbetrachtung',
    },
    confirm: 'Abonnement bestätigen',
    details: 'Details',
    viewDetails: 'Details ansehen',
    helpful: 'War diese Meldung hilfreich?',
    yes: 'Ja',
    no: 'Nein',
    manage: 'Abonnement verwalten oder abbestellen',
    exercise: 'Dies ist eine Übung.',
    smsConfirm: 'Bestätigen:',
    smsHelpful: 'Hilfreich?',
    smsStop: 'Abbestellen: STOP antworten oder',
  },
  es: {
    dir: 'ltr',
    status: {
      investigating: 'Investigando',
      identified: 'Identificado',
      monitoring: 'En observación',
      resolved: 'Resuelto',
      postmortem: 'Análisis posterior',
    },
    confirm: 'Confirme su suscripción',
    details: 'Detalles',
    viewDetails: 'Ver detalles',
    helpful: '¿Le resultó útil esta actualización?',
    yes: 'Sí',
    no: 'No',
    manage: 'Gestionar su suscripción o darse de baja',
    exercise: 'Esto es un simulacro.',
    smsConfirm: 'Confirmar:',
    smsHelpful: '¿Le sirvió?',
    smsStop: 'Baja: responda STOP o',
  },
  pt: {
    dir: 'ltr',
    status: {
      investigating: 'Investigando',
      identified: 'Identificado',
      monitoring: 'Monitorando',
      resolved: 'Resolvido',
      postmortem: 'Análise pós-incidente',
    },
    confirm: 'Confirme sua assinatura',
    details: 'Detalhes',
    viewDetails: 'Ver detalhes',
    helpful: 'Esta atualização foi útil?',
    yes: 'Sim',
    no: 'Não',
    manage: 'Gerenciar sua assinatura ou cancelar',
    exercise: 'Isto é um exercício.',
    smsConfirm: 'Confirmar:',
    smsHelpful: 'Ajudou?',
    smsStop: 'Parar: responda STOP ou',
  },
  ja: {
    dir: 'ltr',
    status: {
      investigating: '調査中',
      identified: '原因特定',
      monitoring: '経過観察中',
      resolved: '解決済み',
      postmortem: '事後分析',
    },
    confirm: '購読を確認する',
    details: '詳細',
    viewDetails: '詳細を見る',
    helpful: 'このお知らせは役に立ちましたか？',
    yes: 'はい',
    no: 'いいえ',
    manage: '購読の管理・解除',
    exercise: 'これは訓練です。',
    smsConfirm: '確認:',
    smsHelpful: '役立ちましたか?',
    smsStop: '停止: STOPと返信するか',
  },
  ar: {
    dir: 'rtl',
    status: {
      investigating: 'قيد التحقيق',
      identified: 'تم تحديد السبب',
      monitoring: 'قيد المراقبة',
      resolved: 'تم الحل',
      postmortem: 'تحليل ما بعد العطل',
    },
    confirm: 'أكّد اشتراكك',
    details: 'التفاصيل',
    viewDetails: 'عرض التفاصيل',
    helpful: 'هل كان هذا التحديث مفيدًا؟',
    yes: 'نعم',
    no: 'لا',
    manage: 'إدارة اشتراكك أو إلغاؤه',
    exercise: 'هذا تمرين.',
    smsConfirm: 'تأكيد:',
    smsHelpful: 'مفيد؟',
    smsStop: 'للإيقاف: أرسل STOP أو',
  },
};

/** The words in `language`, English for a language Crier does not speak. */
export function messageWords(language: string | null | undefined): MessageWords {
  return words[languageOf(language) ?? 'en'];
}

/** The language of a BCP 47 locale (`fr-CA` → `fr`) when Crier speaks it, else null. */
export function languageOf(locale: string | null | undefined): PageLanguage | null {
  if (!locale) return null;
  const primary = locale.toLowerCase().split(/[-_]/)[0];
  return (pageLanguages as readonly string[]).includes(primary ?? '') ? (primary as PageLanguage) : null;
}
