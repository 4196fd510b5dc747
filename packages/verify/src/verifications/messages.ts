/**
 * The text a code is delivered in, per language. Unknown languages fall back to English (the
 * requested locale is still echoed to the port), as Twilio falls back when it has no template.
 */
interface Template {
  code(name: string, code: string): string;
  warning: string;
}

const TEMPLATES: ReadonlyMap<string, Template> = new Map([
  [
    'en',
    {
      code: (name: string, code: string) => `Your ${name} verification code is: ${code}`,
      warning: "Don't share this code with anyone; our employees will never ask for the code.",
    },
  ],
  [
    'es',
    {
      code: (name: string, code: string) => `Tu código de verificación de ${name} es: ${code}`,
      warning: 'No compartas este código con nadie; nuestros empleados nunca te lo pedirán.',
    },
  ],
  [
    'fr',
    {
      code: (name: string, code: string) => `Votre code de vérification ${name} est : ${code}`,
      warning: 'Ne partagez ce code avec personne ; nos employés ne vous le demanderont jamais.',
    },
  ],
  [
    'de',
    {
      code: (name: string, code: string) => `Ihr ${name} Bestätigungscode lautet: ${code}`,
      warning: 'Geben Sie diesen Code an niemanden weiter; unsere Mitarbeiter werden nie danach fragen.',
    },
  ],
  [
    'pt',
    {
      code: (name: string, code: string) => `O seu código de verificação ${name} é: ${code}`,
      warning: 'Não partilhe este código com ninguém; os nossos funcionários nunca o pedirão.',
    },
  ],
]);

const ENGLISH = TEMPLATES.get('en') as Template;

/** 'en', 'pt-BR', 'zh-HK': a language and an optional region. */
const LOCALE = /^[a-z]{2}(?:-[A-Za-z]{2,4})?$/;

export function isLocale(value: string): boolean {
  return LOCALE.test(value);
}

export function codeMessage(locale: string, friendlyName: string, code: string, warning: boolean): string {
  const template = TEMPLATES.get(locale.slice(0, 2)) ?? ENGLISH;
  const text = template.code(friendlyName, code);
  return warning ? `${text}. ${template.warning}` : text;
}
