/**
 * Bad input, found before anything is read or written. `key` and `args` let a front end
 * localise the message (the Azure DevOps task renders it through task-lib's `loc`); `message`
 * is the English one-liner the command line prints. Every message names the bad value —
 * except subscription ids, which are never echoed.
 */
export const OPTIONS_ERROR_KEYS = [
  'RequiredMissing',
  'ConnectionMissing',
  'ArgumentInvalid',
  'FlagBlank',
  'FlagRepeated',
  'RegistryNameInvalid',
  'SameRegistry',
  'SubscriptionIdInvalid',
  'RepositoryNameInvalid',
  'RepositoryNameTooLong',
  'LettersEmpty',
  'LettersItemInvalid',
  'LettersRangeIncomplete',
  'LettersRangeReversed',
  'LettersRangeMixed',
  'PatternEmpty',
  'PatternRegexInvalid',
  'PatternNested',
  'PatternTooComplex',
  'PatternPython',
  'IgnoreConfigMissing',
  'IgnoreConfigUnreadable',
  'IgnoreConfigNotFile',
  'IgnoreConfigNotJson',
  'IgnoreConfigNotStringArray',
  'NumberInvalid',
  'ShardIncomplete',
  'ShardIndexOutOfRange',
  'CloudUnknown',
  'ChoiceUnknown',
  'UrlInvalid',
  'FileUnreadable',
  'FileNotRegular',
  'PemNoCertificate',
  'PemCertificateInvalid',
  'ReportPathNotFile',
  'ReportFolderMissing',
  'ReportNotWritable',
  'DomainInvalid',
  'SinceInvalid',
  'PrefixInvalid',
  'CheckWithForce',
  'ChoiceUnknown',
  'RegistryHostInvalid',
  'RepositoryListEmpty',
  'SecretFileEmpty',
  'SecretFileLines',
  'SourceTwice',
  'SourcePasswordTwice',
  'SourceCredentialsWithoutUri',
  'SourcePasswordWithoutUser',
  'SourceUserWithoutPassword',
  'PasswordAsFlag',
  'TimeFilterWithoutTimes',
] as const;

export type OptionsErrorKey = (typeof OPTIONS_ERROR_KEYS)[number];

export class OptionsError extends Error {
  constructor(
    readonly key: OptionsErrorKey,
    readonly args: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'OptionsError';
  }
}
