using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Workspaces;
using Sosyabot.Web.Data;
using Sosyabot.Web.Notifications;

namespace Sosyabot.Tests.Notifications;

// The app with mail, its clock in the test's hands, the notifications loop off (the tests run the fan-out and the
// webhook sender themselves), loopback receivers allowed and two short retry waits.
public sealed class AppWithNotifications : AppWithMail
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["NOTIFICATIONS_ENABLED"] = "false",
        ["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] = "true",
        ["WEBHOOKS_RETRY_SECONDS"] = "10,60",
    };
}

public sealed class NotificationsTests(AppWithNotifications app) : IClassFixture<AppWithNotifications>
{
    [Fact]
    public async Task Event_InAWorkspace_ReachesItsMembersOnlyWithBadgeAndList()
    {
        var owner = await app.RegisterAsync(Email("owner"));
        var (editor, _) = await Membership.JoinAsync(app, owner, "Editor");
        var outsider = await app.RegisterAsync(Email("outsider"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));

        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Failed on @someone", "“Hello” was not published: X refused it.");

        foreach (var member in new[] { owner, editor })
        {
            var page = await member.GetDocumentAsync("/app/notifications");
            Assert.Equal("1", page.QuerySelector("#unread-count")?.TextContent.Trim());
            var item = Assert.Single(page.QuerySelectorAll("#notifications li.notification"));
            Assert.Equal("Failed on @someone", item.QuerySelector(".title")!.TextContent);
            Assert.Contains("X refused it.", item.QuerySelector(".body")!.TextContent);
            Assert.Contains("unread", item.ClassList);
            Assert.Equal("/app/publishing", item.QuerySelector("a.open")!.GetAttribute("href"));
        }
        var outsiders = await outsider.GetDocumentAsync("/app/notifications");
        Assert.Null(outsiders.QuerySelector("#unread-count"));
        Assert.NotNull(outsiders.QuerySelector("#no-notifications"));
    }

    [Fact]
    public async Task MarkRead_OneThenAll_BadgeCountsDownAndTheListKeepsThem()
    {
        var owner = await app.RegisterAsync(Email("reader"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostHeld, "Held one", "First.");
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostHeld, "Held two", "Second.");
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostHeld, "Held three", "Third.");

        var page = await owner.GetDocumentAsync("/app/notifications");
        Assert.Equal("3", page.QuerySelector("#unread-count")!.TextContent.Trim());
        Assert.Equal(["Held three", "Held two", "Held one"], page.QuerySelectorAll("li.notification .title").Select(t => t.TextContent));

        using (var read = await owner.SubmitAsync(page, "li.notification:nth-child(2) button.mark-read"))
        {
            page = await HtmlForms.ParseAsync(read);
        }
        Assert.Equal("2", page.QuerySelector("#unread-count")!.TextContent.Trim());
        Assert.Equal(["unread", "read", "unread"], page.QuerySelectorAll("li.notification").Select(n => n.ClassList.Contains("unread") ? "unread" : "read"));

        using (var all = await owner.SubmitAsync(page, "#read-all"))
        {
            page = await HtmlForms.ParseAsync(all);
        }
        Assert.Contains("2 notifications marked as read", page.QuerySelector(".flash-success")!.TextContent);
        Assert.Null(page.QuerySelector("#unread-count"));
        Assert.Equal(3, page.QuerySelectorAll("li.notification.read").Length);
    }

    [Fact]
    public async Task MarkRead_AnotherMembersNotification_IsNotFound()
    {
        var owner = await app.RegisterAsync(Email("mine"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Not yours", "Private.");
        var page = await owner.GetDocumentAsync("/app/notifications");
        var id = page.QuerySelector("li.notification")!.GetAttribute("data-id")!;
        var other = await app.RegisterAsync(Email("snoop"));
        var otherPage = await other.GetDocumentAsync("/app/notifications");
        var token = otherPage.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
                    ?? (await other.GetDocumentAsync("/app/settings/notifications")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var response = await other.PostAsync($"/app/notifications?handler=Read&id={id}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("1", (await owner.GetDocumentAsync("/app/notifications")).QuerySelector("#unread-count")!.TextContent.Trim());
    }

    [Fact]
    public async Task Preferences_DefaultsThenInAppOffAndMailOn_AreRespected()
    {
        var email = Email("prefs");
        var owner = await app.RegisterAsync(email);
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));

        var settings = await owner.GetDocumentAsync("/app/settings/notifications");
        Assert.True(Checked(settings, "inapp-post-published"));
        Assert.False(Checked(settings, "email-post-published"));
        Assert.True(Checked(settings, "email-post-failed"));
        Assert.Null(settings.QuerySelector("#mail-not-configured"));

        // By default a failure is mailed and a success is not.
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Failed by default", "Mailed by default.");
        var mail = await app.Smtp.WaitForMessageToAsync(email);
        Assert.Contains("Failed by default", mail.Subject);
        Assert.Contains("Mailed by default.", mail.TextBody);
        Assert.Contains(SosyabotAppFactory.BaseUrl + "/app/publishing", mail.TextBody);
        Assert.Contains(SosyabotAppFactory.BaseUrl + "/app/settings/notifications", mail.TextBody);

        using (var saved = await owner.SubmitAsync(settings, "#save-preferences", new Dictionary<string, string>
               {
                   ["InApp"] = WorkspaceEventTypes.PostFailed,
                   ["Email"] = WorkspaceEventTypes.PostPublished,
               }))
        {
            settings = await HtmlForms.ParseAsync(saved);
        }
        Assert.Contains("Saved", settings.QuerySelector(".flash-success")!.TextContent);
        Assert.False(Checked(settings, "inapp-post-published"));
        Assert.True(Checked(settings, "email-post-published"));
        Assert.False(Checked(settings, "email-post-failed"));

        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostPublished, "Published, mailed only", "On X now.");
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Failed, listed only", "Not mailed.");

        var list = await owner.GetDocumentAsync("/app/notifications");
        Assert.Equal(["Failed, listed only", "Failed by default"], list.QuerySelectorAll("li.notification .title").Select(t => t.TextContent));
        var published = await WaitForMailAsync(email, "Published, mailed only");
        Assert.Contains("On X now.", published.TextBody);
        Assert.DoesNotContain(app.Smtp.ReceivedFor(email), m => m.Subject!.Contains("Failed, listed only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Webhook_FirstAnswer500_SignedRetryAfterTheWaitIsAcceptedAndLogged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await app.RegisterAsync(Email("hooks"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        var (secret, webhookId) = await AddWebhookAsync(owner, receiver.Url);
        receiver.AnswerNext(500);

        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Failed for the hook", "X refused it.");
        await SendDueWebhooksAsync();

        var first = Assert.Single(await receiver.WaitForAsync(1));
        Assert.Equal(500, first.AnsweredWith);
        var log = await owner.GetDocumentAsync($"/app/settings/webhooks/{webhookId}");
        var delivery = Assert.Single(log.QuerySelectorAll("li.webhook-delivery"));
        Assert.Equal("pending", delivery.GetAttribute("data-state"));
        Assert.Equal(["500"], delivery.QuerySelectorAll("td.status").Select(s => s.TextContent));
        Assert.Contains("receiver is having a bad day", delivery.QuerySelector("td.answer")!.TextContent);
        Assert.Contains("next attempt", delivery.QuerySelector(".next-retry")!.TextContent);

        // Not before its wait is over.
        app.Clock.Advance(TimeSpan.FromSeconds(9));
        await SendDueWebhooksAsync();
        Assert.Single(receiver.Requests);
        app.Clock.Advance(TimeSpan.FromSeconds(2));
        await SendDueWebhooksAsync();

        var requests = await receiver.WaitForAsync(2);
        var second = requests[1];
        Assert.Equal(200, second.AnsweredWith);
        foreach (var request in requests)
        {
            Assert.True(request.IsSignedWith(secret), "the signature does not verify with the secret shown once");
            Assert.False(request.IsSignedWith(secret + "x"));
            Assert.Equal(WorkspaceEventTypes.PostFailed, request.Event);
        }
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Delivery, second.Delivery);
        Assert.True(second.SignedAt > first.SignedAt);
        using var payload = JsonDocument.Parse(second.Body);
        Assert.Equal(WorkspaceEventTypes.PostFailed, payload.RootElement.GetProperty("type").GetString());
        Assert.Equal(workspaceId.ToString(), payload.RootElement.GetProperty("workspace_id").GetString());
        Assert.Equal("X refused it.", payload.RootElement.GetProperty("data").GetProperty("reason").GetString());
        Assert.True(Guid.TryParse(payload.RootElement.GetProperty("id").GetString(), out _));
        Assert.True(DateTimeOffset.TryParse(payload.RootElement.GetProperty("occurred_at").GetString(), out _));

        log = await owner.GetDocumentAsync($"/app/settings/webhooks/{webhookId}");
        delivery = Assert.Single(log.QuerySelectorAll("li.webhook-delivery"));
        Assert.Equal("succeeded", delivery.GetAttribute("data-state"));
        Assert.Equal(["500", "200"], delivery.QuerySelectorAll("td.status").Select(s => s.TextContent));
        Assert.Null(delivery.QuerySelector(".next-retry"));
    }

    [Fact]
    public async Task Webhook_AlwaysFailing_GivesUpAfterTheLastWait()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await app.RegisterAsync(Email("giveup"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        var (_, webhookId) = await AddWebhookAsync(owner, receiver.Url);
        receiver.AnswerNext(503, 502, 500, 500);

        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostHeld, "Held", "Needs a person.");
        await SendDueWebhooksAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(11));
        await SendDueWebhooksAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        await SendDueWebhooksAsync();
        app.Clock.Advance(TimeSpan.FromHours(3));
        await SendDueWebhooksAsync();

        Assert.Equal([503, 502, 500], (await receiver.WaitForAsync(3)).Select(r => r.AnsweredWith));
        var delivery = Assert.Single((await owner.GetDocumentAsync($"/app/settings/webhooks/{webhookId}")).QuerySelectorAll("li.webhook-delivery"));
        Assert.Equal("failed", delivery.GetAttribute("data-state"));
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task Webhook_Answer410_TurnsTheWebhookOff()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await app.RegisterAsync(Email("gone"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        await AddWebhookAsync(owner, receiver.Url);
        receiver.AnswerNext(410);

        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Failed", "Gone receiver.");
        await SendDueWebhooksAsync();
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Failed again", "Not sent.");
        await SendDueWebhooksAsync();

        Assert.Single(await receiver.WaitForAsync(1));
        var list = await owner.GetDocumentAsync("/app/settings/webhooks");
        var row = list.QuerySelector("li.webhook")!;
        Assert.Equal("off", row.GetAttribute("data-state"));
        Assert.Contains("410 Gone", row.QuerySelector(".reason")!.TextContent);
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task SendTest_Button_DeliversASignedTestEventAndSaysSo()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await app.RegisterAsync(Email("test"));
        var (secret, webhookId) = await AddWebhookAsync(owner, receiver.Url);

        var list = await owner.GetDocumentAsync("/app/settings/webhooks");
        using var tested = await owner.SubmitAsync(list, "li.webhook button.send-test");
        var page = await HtmlForms.ParseAsync(tested);

        Assert.Equal($"/app/settings/webhooks/{webhookId}", tested.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Test delivered", page.QuerySelector(".flash-success")!.TextContent);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal(WorkspaceEventTypes.Test, request.Event);
        Assert.True(request.IsSignedWith(secret));
        var delivery = Assert.Single(page.QuerySelectorAll("li.webhook-delivery"));
        Assert.Equal(("webhook.test", "succeeded"), (delivery.GetAttribute("data-type"), delivery.GetAttribute("data-state")));
    }

    [Fact]
    public async Task Webhooks_SecretAtRest_IsEncryptedAndNeverShownAgain()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await app.RegisterAsync(Email("secret"));
        var (secret, webhookId) = await AddWebhookAsync(owner, receiver.Url);

        await using var db = app.Database.CreateDbContext();
        var stored = await db.Webhooks.Where(w => w.Id == webhookId).Select(w => w.SecretProtected).SingleAsync();
        Assert.StartsWith(SecretProtector.Prefix, stored);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        var again = await owner.GetStringAsync("/app/settings/webhooks");
        Assert.DoesNotContain(secret, again, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Editor")]
    [InlineData("Viewer")]
    public async Task Webhooks_EditorOrViewer_CannotSeeOrManageThem(string role)
    {
        var owner = await app.RegisterAsync(Email("boss"));
        var (member, _) = await Membership.JoinAsync(app, owner, role);
        var token = (await member.GetDocumentAsync("/app/settings/notifications")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var list = await member.GetAsync("/app/settings/webhooks");
        using var create = await member.PostAsync("/app/settings/webhooks?handler=Create", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Url"] = "https://example.com/hook", ["Input.Events"] = WorkspaceEventTypes.PostFailed,
        }));

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        var settings = await member.GetDocumentAsync("/app/settings/notifications");
        Assert.DoesNotContain(settings.QuerySelectorAll(".sidenav a"), a => a.TextContent == "Webhooks");
        var ownerSettings = await owner.GetDocumentAsync("/app/settings/notifications");
        Assert.Contains(ownerSettings.QuerySelectorAll(".sidenav a"), a => a.TextContent == "Webhooks");
    }

    [Fact]
    public async Task ChannelEvents_AccessEndingOnceAndThenNeedsReconnect_ReachTheMembersWithChannelLinks()
    {
        var owner = await app.RegisterAsync(Email("channels"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        var channelId = Guid.CreateVersion7();
        var handle = "ending" + Guid.NewGuid().ToString("N")[..8];
        await using (var db = app.Database.CreateDbContext())
        {
            db.Channels.Add(new Sosyabot.Web.Channels.Channel
            {
                Id = channelId, WorkspaceId = workspaceId, XUserId = Guid.NewGuid().ToString("N")[..16], Kind = Sosyabot.Web.Channels.ChannelKind.OAuth2,
                Handle = handle, DisplayName = "Ending Soon", ConnectedAt = app.Clock.GetUtcNow(),
                ConnectedByUserId = (await db.WorkspaceMembers.FirstAsync(m => m.WorkspaceId == workspaceId)).UserId,
                AccessTokenExpiresAt = app.Clock.GetUtcNow() + TimeSpan.FromMinutes(30),
            });
            await db.SaveChangesAsync();
        }

        // Twice, as two passes (or two nodes) would: warned once.
        var watch = app.Services.GetRequiredService<Sosyabot.Web.Channels.ChannelAccessWatch>();
        await watch.RunOnceAsync(CancellationToken.None);
        await watch.RunOnceAsync(CancellationToken.None);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Sosyabot.Web.Channels.ChannelTokens>()
                .MarkNeedsReconnectAsync(channelId, "X answered 401: the token was revoked.", CancellationToken.None);
            // Already marked: no second event.
            await scope.ServiceProvider.GetRequiredService<Sosyabot.Web.Channels.ChannelTokens>()
                .MarkNeedsReconnectAsync(channelId, "X answered 401 again.", CancellationToken.None);
        }
        var fanOut = app.Services.GetRequiredService<NotificationFanOut>();
        while (await fanOut.RunOnceAsync(CancellationToken.None) > 0)
        {
        }

        var page = await owner.GetDocumentAsync("/app/notifications");
        var items = page.QuerySelectorAll("li.notification");
        Assert.Equal([WorkspaceEventTypes.ChannelNeedsReconnect, WorkspaceEventTypes.ChannelAccessEnding],
            items.Select(i => i.GetAttribute("data-type")).Order(StringComparer.Ordinal).Reverse());
        Assert.All(items, i => Assert.Equal($"/app/channels/{channelId}", i.QuerySelector("a.open")!.GetAttribute("href")));
        var reconnect = items.Single(i => i.GetAttribute("data-type") == WorkspaceEventTypes.ChannelNeedsReconnect);
        Assert.Equal($"@{handle} needs reconnecting", reconnect.QuerySelector(".title")!.TextContent);
        Assert.Contains("the token was revoked", reconnect.QuerySelector(".body")!.TextContent);
        var ending = items.Single(i => i.GetAttribute("data-type") == WorkspaceEventTypes.ChannelAccessEnding);
        Assert.Contains("ends at", ending.QuerySelector(".body")!.TextContent);
    }

    [Fact]
    public async Task ChannelsPage_TokenExpiredWithNothingToRenewIt_TellsTheMembersOnceThatItNeedsReconnecting()
    {
        var owner = await app.RegisterAsync(Email("expired"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        var channelId = Guid.CreateVersion7();
        var handle = "expired" + Guid.NewGuid().ToString("N")[..8];
        await using (var db = app.Database.CreateDbContext())
        {
            db.Channels.Add(new Sosyabot.Web.Channels.Channel
            {
                Id = channelId, WorkspaceId = workspaceId, XUserId = Guid.NewGuid().ToString("N")[..16], Kind = Sosyabot.Web.Channels.ChannelKind.OAuth2,
                Handle = handle, DisplayName = "Expired", ConnectedAt = app.Clock.GetUtcNow() - TimeSpan.FromHours(3),
                ConnectedByUserId = (await db.WorkspaceMembers.FirstAsync(m => m.WorkspaceId == workspaceId)).UserId,
                AccessTokenExpiresAt = app.Clock.GetUtcNow() - TimeSpan.FromHours(1),
            });
            await db.SaveChangesAsync();
        }

        // Two looks at the page (or two members at once): one event.
        var channels = await owner.GetDocumentAsync("/app/channels");
        await owner.GetDocumentAsync("/app/channels");
        var fanOut = app.Services.GetRequiredService<NotificationFanOut>();
        while (await fanOut.RunOnceAsync(CancellationToken.None) > 0)
        {
        }

        Assert.Contains("expired", channels.QuerySelector($"li.channel[data-handle='{handle}'] .reason")!.TextContent);
        var items = (await owner.GetDocumentAsync("/app/notifications")).QuerySelectorAll("li.notification");
        var reconnect = Assert.Single(items);
        Assert.Equal(WorkspaceEventTypes.ChannelNeedsReconnect, reconnect.GetAttribute("data-type"));
        Assert.Equal($"@{handle} needs reconnecting", reconnect.QuerySelector(".title")!.TextContent);
        Assert.Contains("access token expired", reconnect.QuerySelector(".body")!.TextContent);
    }

    [Fact]
    public async Task Prune_OldReadNotificationsAndFinishedDeliveries_AreDeletedAndUnreadOnesKept()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await app.RegisterAsync(Email("prune"));
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        var (_, webhookId) = await AddWebhookAsync(owner, receiver.Url);
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Old and read", "Read long ago.");
        await SendDueWebhooksAsync();
        var page = await owner.GetDocumentAsync("/app/notifications");
        using (await owner.SubmitAsync(page, "#read-all"))
        {
        }
        await RaiseAsync(workspaceId, WorkspaceEventTypes.PostFailed, "Old but unread", "Never opened.");
        // Aged in the table rather than by moving the clock, which the class's other tests share.
        var longAgo = app.Clock.GetUtcNow() - NotificationFanOut.ReadNotificationsKeptFor - TimeSpan.FromDays(1);
        await using (var aging = app.Database.CreateDbContext())
        {
            await aging.Notifications.Where(n => n.WorkspaceId == workspaceId && n.ReadAt != null)
                .ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, longAgo).SetProperty(n => n.CreatedAt, longAgo));
            await aging.WorkspaceEvents.Where(e => e.WorkspaceId == workspaceId).ExecuteUpdateAsync(u => u.SetProperty(e => e.FannedOutAt, longAgo));
            await aging.WebhookDeliveries.Where(d => d.WebhookId == webhookId).ExecuteUpdateAsync(u => u.SetProperty(d => d.CompletedAt, longAgo));
        }

        await app.Services.GetRequiredService<NotificationFanOut>().PruneAsync(CancellationToken.None);

        page = await owner.GetDocumentAsync("/app/notifications");
        Assert.Equal(["Old but unread"], page.QuerySelectorAll("li.notification .title").Select(t => t.TextContent));
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.WebhookDeliveries.AnyAsync(d => d.WebhookId == webhookId));
        Assert.False(await db.WorkspaceEvents.AnyAsync(e => e.WorkspaceId == workspaceId));
    }

    private static async Task<(string Secret, Guid Id)> AddWebhookAsync(BrowserClient owner, string url)
    {
        var page = await owner.GetDocumentAsync("/app/settings/webhooks");
        using var created = await owner.SubmitAsync(page, "#add-webhook", new Dictionary<string, string> { ["Input.Url"] = url });
        var shown = await HtmlForms.ParseAsync(created);
        var secret = shown.QuerySelector("#webhook-secret")?.GetAttribute("value");
        Assert.True(secret is not null, shown.QuerySelector(".field-error, .flash-error, .validation-summary-errors")?.TextContent ?? "no secret shown");
        Assert.StartsWith("whsec_", secret);
        var link = shown.QuerySelector($"li.webhook[data-url='{url}'] a.handle")!.GetAttribute("href")!;
        return (secret, Guid.Parse(link.Split('/')[^1]));
    }

    private async Task RaiseAsync(Guid workspaceId, string type, string title, string body)
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<IWorkspaceEvents>().Add(new WorkspaceEvent(workspaceId, type, title, body, "/app/publishing",
                new Dictionary<string, string?> { ["reason"] = body }));
            await scope.ServiceProvider.GetRequiredService<SosyabotDbContext>().SaveChangesAsync();
        }
        // Notifications are ordered by when their event happened: keep each test's events apart in time.
        app.Clock.Advance(TimeSpan.FromMilliseconds(10));
        var fanOut = app.Services.GetRequiredService<NotificationFanOut>();
        while (await fanOut.RunOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    private async Task SendDueWebhooksAsync()
    {
        var sender = app.Services.GetRequiredService<WebhookSender>();
        while (await sender.RunOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    private async Task<MimeKit.MimeMessage> WaitForMailAsync(string address, string subject)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!app.Smtp.ReceivedFor(address).Any(m => m.Subject!.Contains(subject, StringComparison.Ordinal)))
        {
            await Task.Delay(50, deadline.Token);
        }
        return app.Smtp.ReceivedFor(address).First(m => m.Subject!.Contains(subject, StringComparison.Ordinal));
    }

    private static bool Checked(IDocument page, string id) => page.GetElementById(id)!.HasAttribute("checked");

    private static string Email(string who) => $"{who}-{Guid.NewGuid():N}@sosyabot.test";
}

// Without WEBHOOKS_ALLOW_PRIVATE_ADDRESSES, webhooks may not call into the server's own networks.
public sealed class WebhookAddressTests(AppWithMail app) : IClassFixture<AppWithMail>
{
    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/latest/meta-data")]
    [InlineData("http://[2002:c0a8:10a::1]/hook")]
    public async Task AddWebhook_PrivateAddress_IsRefusedWithTheSettingToAllowIt(string url)
    {
        var owner = await app.RegisterAsync($"ssrf-{Guid.NewGuid():N}@sosyabot.test");
        var page = await owner.GetDocumentAsync("/app/settings/webhooks");

        using var response = await owner.SubmitAsync(page, "#add-webhook", new Dictionary<string, string> { ["Input.Url"] = url });

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", shown.QuerySelector(".validation-summary-errors")?.TextContent);
        Assert.Null(shown.QuerySelector("#webhook-secret"));
        Assert.NotNull(shown.QuerySelector("#no-webhooks"));
    }

    [Theory]
    [InlineData("ftp://example.com/hook", "http:// or https://")]
    [InlineData("https://user:pass@example.com/hook", "user name and password")]
    public async Task AddWebhook_NotAWebhookUrl_IsRefused(string url, string expected)
    {
        var owner = await app.RegisterAsync($"url-{Guid.NewGuid():N}@sosyabot.test");
        var page = await owner.GetDocumentAsync("/app/settings/webhooks");

        using var response = await owner.SubmitAsync(page, "#add-webhook", new Dictionary<string, string> { ["Input.Url"] = url });

        Assert.Contains(expected, (await HtmlForms.ParseAsync(response)).QuerySelector(".validation-summary-errors")?.TextContent);
    }

    [Fact]
    public async Task Send_StoredUrlThatNowPointsAtLoopback_IsRefusedAtConnectAndLogged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await app.RegisterAsync($"rebind-{Guid.NewGuid():N}@sosyabot.test");
        var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(owner));
        // As if the name had resolved to a public address when it was saved: written past the page's check.
        Guid webhookId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
            var webhook = new Webhook
            {
                WorkspaceId = workspaceId, Url = receiver.Url, SecretProtected = "", Events = [WorkspaceEventTypes.PostFailed],
                CreatedByUserId = (await db.WorkspaceMembers.FirstAsync(m => m.WorkspaceId == workspaceId)).UserId, CreatedAt = app.Clock.GetUtcNow(),
            };
            scope.ServiceProvider.GetRequiredService<WebhookSecrets>().Store(webhook, WebhookSecrets.NewSecret());
            db.Add(webhook);
            await db.SaveChangesAsync();
            webhookId = webhook.Id;
        }

        var list = await owner.GetDocumentAsync("/app/settings/webhooks");
        using var tested = await owner.SubmitAsync(list, "li.webhook button.send-test");

        var page = await HtmlForms.ParseAsync(tested);
        Assert.Contains("Test not accepted", page.QuerySelector(".flash-error")!.TextContent);
        Assert.Contains("refused", page.QuerySelector("td.answer")!.TextContent);
        Assert.Empty(receiver.Requests);
        Assert.Equal($"/app/settings/webhooks/{webhookId}", tested.RequestMessage!.RequestUri!.AbsolutePath);
    }
}
