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
  /** A confirmation's text (email, SMS), a chat room's, and a webhook's verification and welcome. */
  readonly confirmText: string;
  readonly confirmChat: string;
  readonly verifyTitle: string;
  readonly verifyText: string;
  readonly welcomeTitle: string;
  readonly welcomeText: string;
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
    confirmText:
      'Someone, hopefully you, asked to receive status updates here. Nothing more will be sent unless the subscription is confirmed.',
    confirmChat:
      'Someone asked for status updates to be posted in this channel. Nothing more will be posted unless someone here opens the link and confirms.',
    verifyTitle: 'Verify this webhook',
    verifyText:
      'Someone asked for status events to be sent to this URL. Nothing more will be sent unless it answers with the challenge.',
    welcomeTitle: 'You are subscribed',
    welcomeText: 'This address will now receive status updates. Every message carries a link to unsubscribe.',
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
    confirmText:
      "Quelqu'un, sans doute vous, a demandé à recevoir ici les mises à jour d'état. Rien d'autre ne sera envoyé sans confirmation de l'abonnement.",
    confirmChat:
      "Quelqu'un a demandé que les mises à jour d'état soient publiées dans ce canal. Rien d'autre ne sera publié sans que quelqu'un ici ouvre le lien et confirme.",
    verifyTitle: 'Vérifiez ce webhook',
    verifyText:
      "Quelqu'un a demandé que des événements d'état soient envoyés à cette URL. Rien d'autre ne sera envoyé sans réponse au défi.",
    welcomeTitle: 'Abonnement confirmé',
    welcomeText:
      "Cette adresse recevra désormais les mises à jour d'état. Chaque message contient un lien pour se désabonner.",
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
    confirmText:
      'Jemand, hoffentlich Sie, hat hier Status-Updates angefordert. Ohne Bestätigung des Abonnements wird nichts weiter gesendet.',
    confirmChat:
      'Jemand hat angefordert, dass Status-Updates in diesem Kanal gepostet werden. Es wird nichts weiter gepostet, solange niemand hier den Link öffnet und bestätigt.',
    verifyTitle: 'Diesen Webhook bestätigen',
    verifyText:
      'Jemand hat angefordert, dass Status-Ereignisse an diese URL gesendet werden. Es wird nichts weiter gesendet, solange sie nicht mit der Challenge antwortet.',
    welcomeTitle: 'Sie haben abonniert',
    welcomeText: 'Diese Adresse erhält jetzt Status-Updates. Jede Nachricht enthält einen Link zum Abmelden.',
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
    confirmText:
      'Alguien, probablemente usted, pidió recibir aquí actualizaciones de estado. No se enviará nada más si no se confirma la suscripción.',
    confirmChat:
      'Alguien pidió publicar actualizaciones de estado en este canal. No se publicará nada más a menos que alguien aquí abra el enlace y confirme.',
    verifyTitle: 'Verifique este webhook',
    verifyText:
      'Alguien pidió enviar eventos de estado a esta URL. No se enviará nada más a menos que responda con el desafío.',
    welcomeTitle: 'Suscripción activa',
    welcomeText:
      'Esta dirección recibirá a partir de ahora actualizaciones de estado. Cada mensaje incluye un enlace para darse de baja.',
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
    confirmText:
      'Alguém, provavelmente você, pediu para receber atualizações de status aqui. Nada mais será enviado sem a confirmação da assinatura.',
    confirmChat:
      'Alguém pediu que atualizações de status fossem publicadas neste canal. Nada mais será publicado a menos que alguém aqui abra o link e confirme.',
    verifyTitle: 'Verifique este webhook',
    verifyText:
      'Alguém pediu que eventos de status fossem enviados para esta URL. Nada mais será enviado a menos que ela responda com o desafio.',
    welcomeTitle: 'Assinatura ativa',
    welcomeText:
      'Este endereço passará a receber atualizações de status. Cada mensagem traz um link para cancelar a assinatura.',
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
    confirmText:
      'ここでステータス更新を受け取るよう申し込みがありました。購読が確認されるまで、これ以上は何も送信されません。',
    confirmChat:
      'このチャンネルにステータス更新を投稿するよう申し込みがありました。ここにいる誰かがリンクを開いて確認するまで、これ以上は何も投稿されません。',
    verifyTitle: 'この Webhook を確認してください',
    verifyText:
      'この URL にステータスイベントを送信するよう申し込みがありました。チャレンジに応答するまで、これ以上は何も送信されません。',
    welcomeTitle: '購読が完了しました',
    welcomeText:
      'このアドレスに今後ステータス更新が届きます。各メッセージには購読解除のリンクが付いています。',
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
    confirmText: 'طلب أحدهم، ولعلّه أنت، تلقّي تحديثات الحالة هنا. لن يُرسَل أي شيء آخر ما لم يُؤكَّد الاشتراك.',
    confirmChat:
      'طلب أحدهم نشر تحديثات الحالة في هذه القناة. لن يُنشَر أي شيء آخر ما لم يفتح أحد هنا الرابط ويؤكّد.',
    verifyTitle: 'تحقّق من هذا الخطاف (webhook)',
    verifyText: 'طلب أحدهم إرسال أحداث الحالة إلى عنوان URL هذا. لن يُرسَل أي شيء آخر ما لم يُجب بالتحدّي.',
    welcomeTitle: 'تم اشتراكك',
    welcomeText: 'سيتلقّى هذا العنوان من الآن تحديثات الحالة. تحمل كل رسالة رابطًا لإلغاء الاشتراك.',
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
