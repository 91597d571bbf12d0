// The browser's character counter is the official twitter-text parseTweet, unchanged.
import parseTweet from 'twitter-text/dist/parseTweet';
import configs from 'twitter-text/dist/configs';

window.twitterText = { parseTweet, configs };
