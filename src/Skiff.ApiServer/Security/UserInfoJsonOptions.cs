namespace Skiff.ApiServer.Security;

/// <summary>How <see cref="UserInfo.ToJson"/> differs per caller from upstream's default (omit empty fields).</summary>
[Flags]
internal enum UserInfoJsonOptions
{
    /// <summary>Username always; uid, groups and extra only when present; extra in insertion order.</summary>
    None = 0,

    /// <summary>Write <c>groups</c> even when empty (TokenReview, SelfSubjectReview, a CSR's spec).</summary>
    AlwaysGroups = 1,

    /// <summary>Write <c>extra</c>'s keys in ordinal order (TokenReview, SelfSubjectReview).</summary>
    SortedExtra = 2,
}
